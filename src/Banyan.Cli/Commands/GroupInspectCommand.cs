using System.CommandLine;
using System.Globalization;
using Banyan.Api.Database.V1;
using Banyan.Cli.Gateway;
using Banyan.Cli.Input;
using Banyan.Cli.Output;

namespace Banyan.Cli.Commands;

/// <summary>
/// <c>banyan group inspect -g GROUP</c>: what each silo stores of a group (<c>GroupRegistryService/Inspect</c>, the
/// gateway's <c>GET /api/v1/group/content/{group}</c>): a row per node, segment and shard with its rows, parts and bytes
/// on disk, after the group's schemas.
/// </summary>
public static class GroupInspectCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliConsole console)
    {
        Command command = CommandHelp.Create("inspect", """
            Show what the group holds: its schemas, and per silo, segment and shard the rows, parts (memory and disk) and
            bytes on disk; the whole answer with -o yaml or -o json.

            Example:
              banyan group inspect -g sw_metric
            """);
        Option<string> group = CommonOptions.Group("The group", required: true);
        command.Options.Add(group);
        command.SetAction(async (parse, cancellation) =>
        {
            CommandContext context = new(parse, console);
            string name = parse.GetValue(group)!;
            using GatewayClient gateway = context.Gateway();
            string answer = await gateway.SendAsync(HttpMethod.Get, "/api/v1/group/content/" + Uri.EscapeDataString(name), null, cancellation);
            if (context.Output.Format != OutputFormat.Table)
            {
                context.Output.WriteDocument(answer);
                return ExitCodes.Success;
            }

            var inspected = (GroupRegistryServiceInspectResponse)ProtoJson.ParseAnswer(answer, GroupRegistryServiceInspectResponse.Descriptor);
            SchemaInfo schemas = inspected.SchemaInfo ?? new SchemaInfo();
            context.Output.WriteLine($"group {name}: streams [{string.Join(", ", schemas.Streams)}], measures [{string.Join(", ", schemas.Measures)}], "
                + $"index rules [{string.Join(", ", schemas.IndexRules)}], bindings [{string.Join(", ", schemas.IndexRuleBindings)}], topn [{string.Join(", ", schemas.TopnAggregations)}]");
            List<IReadOnlyList<string>> rows = [];
            foreach (DataInfo node in inspected.DataInfo)
            {
                foreach (SegmentInfo segment in node.SegmentInfo)
                {
                    foreach (ShardInfo shard in segment.ShardInfo)
                    {
                        rows.Add([node.Node?.Metadata?.Name ?? string.Empty, segment.SegmentId, segment.TimeRangeStart, shard.ShardId.ToString(CultureInfo.InvariantCulture),
                            shard.DataCount.ToString(CultureInfo.InvariantCulture), shard.PartCount.ToString(CultureInfo.InvariantCulture),
                            shard.FilePartCount.ToString(CultureInfo.InvariantCulture), shard.DataSizeBytes.ToString(CultureInfo.InvariantCulture)]);
                    }
                }
            }

            if (rows.Count == 0)
            {
                context.Output.WriteLine("no data");
            }
            else
            {
                context.Output.WriteTable(["NODE", "SEGMENT", "START", "SHARD", "ROWS", "PARTS", "DISK PARTS", "BYTES"], rows);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
