using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Banyan.Api.Database.V1;
using Banyan.Cli.Commands;
using Banyan.Cli.Gateway;
using Banyan.Cli.Input;
using Banyan.Cli.Output;
using Banyan.Cli.Schema;
using Google.Protobuf;
using CommonV1 = Banyan.Api.Common.V1;

namespace Banyan.Cli.Write;

/// <summary>
/// <c>banyan stream write</c> and <c>banyan measure write</c>: bulk loads from JSON lines, CSV or YAML over the gRPC
/// write stream (<see cref="BulkWriter"/>), with progress (<see cref="WriteProgress"/>), a summary of acknowledged and
/// failed rows with the first failures, and exit code 1 when any row failed. File shapes: docs/cli.md, "Bulk writes".
/// </summary>
public static class WriteCommand
{
    /// <summary>The write command of <paramref name="target"/>.</summary>
    public static Command Create(WriteTarget target, CliConsole console)
    {
        string noun = target == WriteTarget.Measure ? "measure" : "stream";
        string unit = target == WriteTarget.Measure ? "data point" : "element";
        string value = target == WriteTarget.Measure ? "DataPointValue" : "ElementValue";
        string csvColumns = target == WriteTarget.Measure
            ? "timestamp, optional version, then tags (tag or family.tag) and fields by name"
            : "timestamp, element_id, then tags (tag or family.tag)";
        Command command = CommandHelp.Create("write", $"""
            Bulk-load {unit}s into a {noun} from a JSON lines, CSV or YAML file, over gRPC (--grpc-addr).
            The file is read as it goes (any size). Formats, by extension or --format:
              JSON lines (.jsonl, .ndjson, .json): one {noun}.v1.WriteRequest or {noun}.v1.{value} per line, protojson;
              CSV (.csv): a header naming the columns ({csvColumns}); values typed by the {noun}'s schema (read from --addr);
              YAML (.yaml, .yml): one WriteRequest or {value} per document, or a list of them.
            Rows without metadata go to the {noun} named by -g and -n. Shows progress (a bar on a terminal, a line every few
            seconds otherwise), then a summary with the first failures; exits 1 if any row failed (bad rows are skipped and
            counted, the rest is written).

            Examples:
              banyan {noun} write -f {(target == WriteTarget.Measure ? "points.csv -g sw_metric -n service_cpm_minute" : "logs.jsonl -g sw_record -n log")}
              banyan {noun} write -f rows.yaml -g GROUP -n NAME --grpc-addr http://10.0.0.5:17912
              cat rows.jsonl | banyan {noun} write -f - --format jsonl -g GROUP -n NAME
            """);
        Option<string> file = CommonOptions.File("The rows: a .jsonl/.ndjson/.json, .csv or .yaml/.yml file, or - for standard input");
        Option<string> group = CommonOptions.Group($"The group of the {noun}, for rows without metadata (and for CSV)");
        Option<string> name = CommonOptions.Name($"The {noun}, for rows without metadata (and for CSV)");
        Option<string> format = new("--format")
        {
            Description = "The file's format, when its extension does not say (standard input: jsonl unless given)",
            HelpName = "jsonl|csv|yaml",
        };
        format.AcceptOnlyFromAmong("jsonl", "csv", "yaml");
        Option<int> window = new("--window")
        {
            Description = "How many rows may be unacknowledged at once (bounds memory and the server's queue)",
            HelpName = "rows",
            DefaultValueFactory = _ => 2000,
        };
        Option<int> showFailures = new("--show-failures")
        {
            Description = "How many failed rows to list in the summary (all are counted)",
            HelpName = "n",
            DefaultValueFactory = _ => 10,
        };
        Option<bool> quiet = new("--quiet", "-q") { Description = "No progress display, only the summary" };
        Option<double> interval = new("--progress-interval")
        {
            Description = "Seconds between progress lines when standard error is not a terminal",
            HelpName = "seconds",
            DefaultValueFactory = _ => 2,
        };
        foreach (Option option in new Option[] { file, group, name, format, window, showFailures, quiet, interval })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellation) =>
        {
            CommandContext context = new(parse, console);
            string path = parse.GetValue(file)!;
            string? g = parse.GetValue(group);
            string? n = parse.GetValue(name);
            if (string.IsNullOrEmpty(g) != string.IsNullOrEmpty(n))
            {
                throw CliException.Usage("give both -g GROUP and -n NAME, or neither");
            }

            if (parse.GetValue(window) < 1 || parse.GetValue(showFailures) < 0 || parse.GetValue(interval) <= 0)
            {
                throw CliException.Usage("--window must be at least 1, --show-failures at least 0, --progress-interval positive");
            }

            CommonV1.Metadata? metadata = string.IsNullOrEmpty(g) ? null : new CommonV1.Metadata { Group = g, Name = n! };
            Uri grpc = GatewayClient.ParseAddress(context.GrpcAddress, "--grpc-addr");
            string chosen = parse.GetValue(format) ?? FormatOf(path);
            string sourceName = path == "-" ? DocumentFiles.StdinName : path;
            WriteStatistics statistics = new(parse.GetValue(showFailures));
            using IWriteRowSource source = await OpenAsync(context, target, chosen, path, sourceName, metadata, cancellation);
            Action<IMessage>? applySpec = source is CsvRowSource csv ? csv.ApplySpec : null;
            BulkWriter writer = new(target, grpc, metadata, parse.GetValue(window), statistics);
            Stopwatch clock = Stopwatch.StartNew();
            CliException? failure = null;
            await WriteProgress.RunAsync(console, statistics, source, parse.GetValue(quiet), TimeSpan.FromSeconds(parse.GetValue(interval)), async () =>
            {
                try
                {
                    await writer.RunAsync(source, sourceName, applySpec, cancellation);
                }
                catch (CliException e) when (e is not InputFileException && e.ExitCode != ExitCodes.Unreachable)
                {
                    // A call that failed midway: the summary still shows what was stored.
                    failure = e;
                }
            });
            clock.Stop();
            PrintSummary(context, noun, metadata, sourceName, statistics, clock.Elapsed);
            if (failure is not null)
            {
                context.Error(failure.Message);
            }

            return statistics.Failed > 0 || failure is not null ? ExitCodes.ServerError : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The format a file's extension says (jsonl for standard input and unknown extensions).</summary>
    public static string FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => "csv",
        ".yaml" or ".yml" => "yaml",
        _ => "jsonl",
    };

    private static async Task<IWriteRowSource> OpenAsync(
        CommandContext context, WriteTarget target, string format, string path, string sourceName, CommonV1.Metadata? metadata, CancellationToken cancellation)
    {
        if (format == "csv" && metadata is null)
        {
            throw CliException.Usage($"a CSV file needs -g GROUP and -n NAME: its columns are typed by the {(target == WriteTarget.Measure ? "measure" : "stream")}'s schema");
        }

        // The CSV schema is fetched before the file is opened, so a wrong name is reported before anything is read.
        (IEnumerable<TagFamilySpec> Families, IEnumerable<FieldSpec> Fields)? schema = format == "csv"
            ? await FetchSchemaAsync(context, target, metadata!, cancellation)
            : null;
        System.IO.Stream input;
        long? length = null;
        if (path == "-")
        {
            // The process's standard input is streamed; a captured console (tests) hands over what it holds.
            input = context.Console.Input == Console.In
                ? Console.OpenStandardInput()
                : new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await context.Console.Input.ReadToEndAsync(cancellation)));
        }
        else
        {
            try
            {
                FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
                input = stream;
                length = stream.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CliException.Usage($"{path}: cannot read the file: {e.Message}");
            }
        }

        try
        {
            WriteMessages messages = WriteMessages.Of(target);
            return format switch
            {
                "csv" => new CsvRowSource(input, length, sourceName, target, schema!.Value.Families, schema.Value.Fields, $"{(target == WriteTarget.Measure ? "measure" : "stream")} {metadata!.Group}/{metadata.Name}"),
                "yaml" => new YamlRowSource(input, length, sourceName, messages),
                _ => new JsonLinesRowSource(input, length, messages),
            };
        }
        catch
        {
            await input.DisposeAsync();
            throw;
        }
    }

    private static async Task<(IEnumerable<TagFamilySpec>, IEnumerable<FieldSpec>)> FetchSchemaAsync(
        CommandContext context, WriteTarget target, CommonV1.Metadata metadata, CancellationToken cancellation)
    {
        using GatewayClient gateway = context.Gateway();
        SchemaKind kind = target == WriteTarget.Measure ? SchemaKinds.Measure : SchemaKinds.Stream;
        string answer = await gateway.SendAsync(HttpMethod.Get, kind.PathOf(metadata.Group, metadata.Name), null, cancellation);
        IMessage? schema = kind.SchemaOf(ProtoJson.ParseAnswer(answer, kind.GetResponse));
        return schema switch
        {
            Measure m => (m.TagFamilies, m.Fields),
            Banyan.Api.Database.V1.Stream s => (s.TagFamilies, []),
            _ => throw new CliException($"the server answered no schema for {kind.Noun} {metadata.Group}/{metadata.Name}", ExitCodes.ServerError),
        };
    }

    private static void PrintSummary(CommandContext context, string noun, CommonV1.Metadata? metadata, string source, WriteStatistics statistics, TimeSpan elapsed)
    {
        double rate = WriteProgress.Rate(statistics, elapsed);
        if (context.Output.Format != OutputFormat.Table)
        {
            JsonArray failures = [];
            foreach (WriteFailure f in statistics.Failures)
            {
                failures.Add(new JsonObject { ["line"] = f.Line, ["status"] = f.Status, ["message"] = f.Message });
            }

            context.Output.WriteDocument(new JsonObject
            {
                ["file"] = source,
                ["rows"] = statistics.Read,
                ["sent"] = statistics.Sent,
                ["acknowledged"] = statistics.Acknowledged,
                ["failed"] = statistics.Failed,
                ["seconds"] = Math.Round(elapsed.TotalSeconds, 3),
                ["rowsPerSecond"] = Math.Round(rate, 1),
                ["failures"] = failures,
            });
            return;
        }

        string target = metadata is null ? noun : $"{noun} {metadata.Group}.{metadata.Name}";
        context.Output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{target}: {statistics.Read} rows read from {source}, {statistics.Acknowledged} acknowledged, {statistics.Failed} failed in {elapsed.TotalSeconds:0.0} s ({rate:0} rows/s)"));
        IReadOnlyList<WriteFailure> shown = statistics.Failures;
        if (shown.Count > 0)
        {
            context.Output.WriteLine(statistics.Failed > shown.Count ? $"first {shown.Count} failures:" : "failures:");
            foreach (WriteFailure f in shown)
            {
                context.Output.WriteLine($"  {InputFileException.Format(source, f.Line, $"{f.Status}: {f.Message}")}");
            }
        }
    }
}
