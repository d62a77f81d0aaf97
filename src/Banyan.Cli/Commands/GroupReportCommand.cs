using System.CommandLine;
using Banyan.Cli.Gateway;
using Banyan.Cli.Input;
using Banyan.Cli.Output;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Banyan.Cli.Commands;

/// <summary>
/// The shape of <c>banyan group inspect</c> and <c>banyan group task</c>: <c>-g GROUP</c>, one GET of a gateway route
/// under the group's name, the answer as a document with <c>-o yaml|json</c> or written as text by the command.
/// </summary>
internal static class GroupReportCommand
{
    /// <summary>A command <paramref name="verb"/> that reads <paramref name="route"/> + the group and writes the answer (a <paramref name="response"/>) with <paramref name="writeText"/> in table mode.</summary>
    public static Command Create(string verb, string help, string route, MessageDescriptor response, Action<ResultWriter, string, IMessage> writeText, CliConsole console)
    {
        Command command = CommandHelp.Create(verb, help);
        Option<string> group = CommonOptions.Group("The group", required: true);
        command.Options.Add(group);
        command.SetAction(async (parse, cancellation) =>
        {
            CommandContext context = new(parse, console);
            string name = parse.GetValue(group)!;
            using GatewayClient gateway = context.Gateway();
            string answer = await gateway.SendAsync(HttpMethod.Get, route + Uri.EscapeDataString(name), null, cancellation);
            if (context.Output.Format == OutputFormat.Table)
            {
                writeText(context.Output, name, ProtoJson.ParseAnswer(answer, response));
            }
            else
            {
                context.Output.WriteDocument(answer);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
