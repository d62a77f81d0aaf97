using System.CommandLine;
using Banyan.Cli.Commands;
using Banyan.Cli.Schema;
using Banyan.Cli.Write;

namespace Banyan.Cli;

/// <summary>
/// The <c>banyan</c> command line: builds the command tree, runs the chosen command, and turns what goes wrong into one
/// line on standard error and an exit code (<see cref="ExitCodes"/>). Tests call <see cref="RunAsync"/> with captured
/// writers; <c>Program</c> calls it with the process's streams.
/// </summary>
public static class BanyanCli
{
    /// <summary>Runs <paramref name="args"/> and answers the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        RootCommand root = Build(console);
        ParseResult parse = root.Parse(args);
        // Errors are printed here, shorter than System.CommandLine's default (which repeats the whole help); a help
        // request with errors (a required option missing) still shows the help.
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction or null)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                await console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await console.Error.WriteLineAsync($"See '{HelpHint(parse)}'.");
            return ExitCodes.BadInput;
        }

        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false },
                cancellation);
        }
        catch (CliException e)
        {
            await console.Error.WriteLineAsync($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("error: cancelled");
            return 130;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("BANYAN_DEBUG") != "1")
        {
            // Not a failure the tool knows how to explain: still one line, and the way to see more.
            await console.Error.WriteLineAsync($"error: unexpected {e.GetType().Name}: {e.Message} (a bug in banyan; BANYAN_DEBUG=1 shows the stack trace)");
            return ExitCodes.Bug;
        }
    }

    /// <summary>The command tree.</summary>
    public static RootCommand Build(CliConsole console)
    {
        RootCommand root = new("""
            banyan: the command-line tool of Banyan, a BanyanDB-compatible time-series database (in the manner of bydbctl).

            Schemas, queries, TopN and health go through the silo's HTTP gateway (--addr); bulk writes through its gRPC
            endpoint (--grpc-addr). Files are BanyanDB's messages in YAML or JSON, so bydbctl's files work unchanged.

            Examples:
              banyan group create -f group.yaml
              banyan measure create -f measure.yaml
              banyan measure list -g sw_metric
              banyan measure write -f points.csv -g sw_metric -n service_cpm_minute
              banyan measure query -f query.yaml --duration 1h -o yaml
              banyan health

            Exit codes: 0 done, 1 the server refused (or some writes failed), 2 bad command line or file, 3 server unreachable.
            Documentation: docs/cli.md.
            """);
        root.Options.Add(GlobalOptions.Address);
        root.Options.Add(GlobalOptions.GrpcAddress);
        root.Options.Add(GlobalOptions.Output);
        root.Options.Add(GlobalOptions.Timeout);

        foreach (SchemaKind kind in SchemaKinds.All)
        {
            Command command = new(kind.Command, Summary(kind));
            foreach (Command sub in SchemaCommands.For(kind, console))
            {
                command.Subcommands.Add(sub);
            }

            if (kind == SchemaKinds.Group)
            {
                command.Subcommands.Add(GroupInspectCommand.Create(console));
                command.Subcommands.Add(GroupTaskCommand.Create(console));
            }
            else if (kind == SchemaKinds.Stream)
            {
                command.Subcommands.Add(DataCommands.StreamQuery(console));
                command.Subcommands.Add(WriteCommand.Create(WriteTarget.Stream, console));
            }
            else if (kind == SchemaKinds.Measure)
            {
                command.Subcommands.Add(DataCommands.MeasureQuery(console));
                command.Subcommands.Add(DataCommands.MeasureTopN(console));
                command.Subcommands.Add(WriteCommand.Create(WriteTarget.Measure, console));
            }

            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(HealthCommand.Create(console));
        CommandHelp.Install(root);
        return root;
    }

    private static string Summary(SchemaKind kind) => kind.Command switch
    {
        "group" => "Groups: create, update, get, list, delete, inspect (what each silo stores), task (the last deletion) (a group holds streams or measures, with shards, segments and TTL)",
        "stream" => "Streams (logs, events): schemas (create, update, get, list, delete), query and bulk write",
        "measure" => "Measures (metrics): schemas (create, update, get, list, delete), query, topn and bulk write",
        "index-rule" => "Index rules: create, update, get, list, delete",
        "index-rule-binding" => "Index rule bindings (which rules index which stream or measure): create, update, get, list, delete",
        _ => "TopN aggregations (a measure's streaming top-N): create, update, get, list, delete; read them with 'measure topn'",
    };

    private static string HelpHint(ParseResult parse)
    {
        List<string> names = [];
        for (System.CommandLine.Parsing.SymbolResult? s = parse.CommandResult; s is not null; s = s.Parent)
        {
            if (s is System.CommandLine.Parsing.CommandResult c)
            {
                names.Insert(0, c.Command is RootCommand ? "banyan" : c.Command.Name);
            }
        }

        return string.Join(' ', names) + " --help";
    }
}
