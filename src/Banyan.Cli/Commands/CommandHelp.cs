using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace Banyan.Cli.Commands;

/// <summary>
/// Help text of a command in two parts: its first line is the command's description (what lists of subcommands show),
/// the rest (details and examples) is printed after the options when the command's own help is asked for, so each
/// <c>--help</c> is useful on its own without making the lists of subcommands long.
/// </summary>
public static class CommandHelp
{
    private static readonly ConditionalWeakTable<Command, string> s_details = [];

    /// <summary>A command named <paramref name="name"/> whose help is <paramref name="text"/> (first line: the summary).</summary>
    public static Command Create(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string normalized = text.ReplaceLineEndings("\n").Trim();
        int end = normalized.IndexOf('\n', StringComparison.Ordinal);
        Command command = new(name, end < 0 ? normalized : normalized[..end]);
        if (end >= 0)
        {
            s_details.AddOrUpdate(command, normalized[(end + 1)..].Trim('\n'));
        }

        return command;
    }

    /// <summary>Makes the help option of <paramref name="root"/> (recursive, so every command's) print the details too.</summary>
    public static void Install(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (HelpOption help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction standard)
            {
                help.Action = new WithDetails(standard);
            }
        }
    }

    private sealed class WithDetails(HelpAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int exit = standard.Invoke(parseResult);
            if (s_details.TryGetValue(parseResult.CommandResult.Command, out string? details))
            {
                TextWriter output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Details:");
                foreach (string line in details.Split('\n'))
                {
                    output.WriteLine(line.Length == 0 ? string.Empty : "  " + line);
                }

                output.WriteLine();
            }

            return exit;
        }
    }
}
