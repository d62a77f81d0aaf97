using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Banyan.Cli.Gateway;
using Banyan.Cli.Input;
using Banyan.Cli.Output;
using Banyan.Cli.Time;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Cli.Commands;

/// <summary>
/// <c>banyan stream query</c>, <c>banyan measure query</c> and <c>banyan measure topn</c>: a request from <c>-f</c>
/// (BanyanDB's <c>QueryRequest</c> or <c>TopNRequest</c>, as bydbctl takes it), its time range from the file or from
/// <c>--start/--end/--duration</c>, sent to the gateway; the answer printed as a table, JSON or YAML.
/// </summary>
public static class DataCommands
{
    /// <summary><c>banyan stream query</c>.</summary>
    public static Command StreamQuery(CliConsole console) => Build(
        console, "query", "stream", StreamV1.QueryRequest.Descriptor, "/api/v1/stream/data",
        """
        Query the elements of a stream with a request from a file.
        The file holds BanyanDB's banyandb.stream.v1.QueryRequest (name, groups, projection, criteria, order_by,
        limit ...) in YAML or JSON, as bydbctl takes it; several YAML documents run one after another.
        """,
        """
          banyan stream query -f query.yaml --duration 1h
          banyan stream query -f query.yaml --start 2026-12-02T10:00:00Z --end 2026-12-02T11:00:00Z -o json
        """,
        json => ProtoJson.ParseAnswer<StreamV1.QueryResponse>(json),
        (output, answer) => DataTables.Write(output, (StreamV1.QueryResponse)answer));

    /// <summary><c>banyan measure query</c>.</summary>
    public static Command MeasureQuery(CliConsole console) => Build(
        console, "query", "measure", MeasureV1.QueryRequest.Descriptor, "/api/v1/measure/data",
        """
        Query the data points of a measure with a request from a file.
        The file holds BanyanDB's banyandb.measure.v1.QueryRequest (name, groups, tag_projection, field_projection,
        criteria, group_by, agg, top, limit ...) in YAML or JSON, as bydbctl takes it.
        """,
        """
          banyan measure query -f query.yaml --duration 1h
          banyan measure query -f query.yaml -s -2h -e -1h -o yaml
        """,
        json => ProtoJson.ParseAnswer<MeasureV1.QueryResponse>(json),
        (output, answer) => DataTables.Write(output, (MeasureV1.QueryResponse)answer));

    /// <summary><c>banyan measure topn</c>.</summary>
    public static Command MeasureTopN(CliConsole console) => Build(
        console, "topn", "TopN aggregation", MeasureV1.TopNRequest.Descriptor, "/api/v1/measure/topn",
        """
        Read a TopN aggregation: the top (or bottom) entities of a measure over a time range.
        The file holds BanyanDB's banyandb.measure.v1.TopNRequest (name: the TopN aggregation, groups, top_n, agg, conditions, field_value_sort)
        in YAML or JSON, as bydbctl's "topn query" takes it.
        """,
        """
          banyan measure topn -f topn.yaml --duration 1h
        """,
        json => ProtoJson.ParseAnswer<MeasureV1.TopNResponse>(json),
        (output, answer) => DataTables.Write(output, (MeasureV1.TopNResponse)answer));

    private static Command Build(
        CliConsole console,
        string verb,
        string noun,
        MessageDescriptor requestType,
        string path,
        string description,
        string examples,
        Func<string, IMessage> parseAnswer,
        Action<ResultWriter, IMessage> table)
    {
        Command command = CommandHelp.Create(verb, $"""
            {description}
            --start, --end and --duration set the request's time range (replacing the file's); without them and without a
            timeRange in the file, the last 30 minutes are read. -g and -n fill in groups and name when the file has none.

            Examples:
            {examples}
            """);
        Option<string> file = CommonOptions.File($"The {requestType.FullName} request: a YAML or JSON file, a folder, or - for standard input");
        Option<string> group = CommonOptions.Group("The group, for a request that names no groups");
        Option<string> name = CommonOptions.Name($"The {noun} name, for a request that names none");
        command.Options.Add(file);
        command.Options.Add(group);
        command.Options.Add(name);
        TimeRangeOptions range = new(command);
        command.SetAction(async (parse, cancellation) =>
        {
            CommandContext context = new(parse, console);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            List<(InputDocument Document, IMessage Request)> requests = [];
            foreach (InputDocument document in DocumentFiles.Read(parse.GetValue(file)!, console.Input))
            {
                if (document.Node is not JsonObject request)
                {
                    throw document.Error($"document {document.Index} is not a mapping of a {requestType.FullName}");
                }

                FillIn(document, request, parse.GetValue(group), parse.GetValue(name), noun);
                range.Apply(parse, request, now);
                requests.Add((document, ProtoJson.ParseDocument(document, requestType, request)));
            }

            using GatewayClient gateway = context.Gateway();
            foreach ((InputDocument document, IMessage request) in requests)
            {
                string answer = await gateway.SendAsync(HttpMethod.Post, path, ProtoJson.Format(request), cancellation);
                if (context.Output.Format == OutputFormat.Table)
                {
                    if (requests.Count > 1)
                    {
                        context.Output.WriteLine($"{InputFileException.Format(document.Source, document.Line, $"document {document.Index}")}:");
                    }

                    table(context.Output, parseAnswer(answer));
                }
                else
                {
                    context.Output.WriteDocument(answer);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // bydbctl: a request without groups takes the -g group; without a name, -n.
    private static void FillIn(InputDocument document, JsonObject request, string? group, string? name, string noun)
    {
        if (request["groups"] is null)
        {
            if (string.IsNullOrEmpty(group))
            {
                throw document.Error($"document {document.Index}: the request names no groups; give them in the file or with -g");
            }

            request["groups"] = new JsonArray(group);
        }

        if (request["name"] is null || (request["name"]!.GetValueKind() == JsonValueKind.String && request["name"]!.GetValue<string>().Length == 0))
        {
            if (string.IsNullOrEmpty(name))
            {
                throw document.Error($"document {document.Index}: the request names no {noun}; give its name in the file or with -n");
            }

            request["name"] = name;
        }
    }
}
