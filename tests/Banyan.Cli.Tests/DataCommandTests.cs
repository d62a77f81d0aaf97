using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Banyan.Cli.Tests.Infrastructure;

namespace Banyan.Cli.Tests;

/// <summary>Bulk writes (CSV, JSON lines, YAML, standard input) with bad rows, then queries, TopN and health, against the real silo.</summary>
[Collection(SharedSilo.Name)]
public sealed class DataCommandTests(SiloFixture silo) : IDisposable
{
    private static readonly DateTime s_now = DateTime.UtcNow.AddMinutes(-5);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string At(int minutesAgo) => s_now.AddMinutes(-minutesAgo).ToString("yyyy-MM-dd'T'HH:mm:00'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_group_that_holds_data_is_deleted_only_with_force_and_data_only_keeps_its_schemas()
    {
        (await silo.RunAsync("group", "create", "-f", _files.Write("g.yaml", Samples.MeasureGroup("cli_del")))).Expect(0);
        (await silo.RunAsync("measure", "create", "-f", _files.Write("m.yaml", Samples.Measure("cli_del", "cpm")))).Expect(0);
        string csv = _files.Write("points.csv", $"timestamp,entity_id,id,total,value\n{At(1)},entity-1,svc,1,2\n{At(2)},entity-2,svc,3,4\n");
        (await silo.RunAsync("measure", "write", "-f", csv, "-g", "cli_del", "-n", "cpm")).Expect(0);
        string query = _files.Write("q.yaml", """
            name: cpm
            groups: ["cli_del"]
            fieldProjection:
              names: [total]
            """);
        int Points(CliRun run) => JsonNode.Parse(run.Expect(0).Out)!["dataPoints"]?.AsArray().Count ?? 0;
        Assert.Equal(2, Points(await silo.RunAsync("measure", "query", "-f", query, "--duration", "1h", "-o", "json")));

        // What the silo stores of it: the measure, and the two rows over the group's shards.
        string inspected = (await silo.RunAsync("group", "inspect", "-g", "cli_del")).Expect(0).Out;
        Assert.Contains("group cli_del: streams [], measures [cpm]", inspected, StringComparison.Ordinal);
        Assert.Contains("DISK PARTS", inspected, StringComparison.Ordinal);
        JsonNode content = JsonNode.Parse((await silo.RunAsync("group", "inspect", "-g", "cli_del", "-o", "json")).Expect(0).Out)!;
        Assert.Equal(2, content["dataInfo"]!.AsArray().SelectMany(n => n!["segmentInfo"]!.AsArray()).SelectMany(g => g!["shardInfo"]!.AsArray()).Sum(s => long.Parse(s!["dataCount"]?.ToString() ?? "0", CultureInfo.InvariantCulture)));

        // As bydbctl against BanyanDB: a group with data needs --force, with --data-only too.
        (await silo.RunAsync("group", "delete", "-g", "cli_del")).AssertCleanError(1, "FAILED_PRECONDITION: group cli_del is not empty, use force=true to delete non-empty groups");
        (await silo.RunAsync("group", "delete", "-g", "cli_del", "--data-only")).AssertCleanError(1, "FAILED_PRECONDITION");

        (await silo.RunAsync("group", "task", "-g", "cli_del")).AssertCleanError(1, "NOT_FOUND: deletion task for group cli_del not found");
        CliRun dataOnly = (await silo.RunAsync("group", "delete", "-g", "cli_del", "--data-only", "--force")).Expect(0);
        Assert.Contains("group cli_del: its data is deleted, its schemas are kept", dataOnly.Out, StringComparison.Ordinal);
        Assert.Contains("group cli_del: PHASE_COMPLETED at ", (await silo.RunAsync("group", "task", "-g", "cli_del")).Expect(0).Out, StringComparison.Ordinal);
        (await silo.RunAsync("measure", "get", "-g", "cli_del", "-n", "cpm")).Expect(0);
        Assert.Equal(0, Points(await silo.RunAsync("measure", "query", "-f", query, "--duration", "1h", "-o", "json")));

        // Empty again, the group goes without --force.
        Assert.Contains("group cli_del is deleted", (await silo.RunAsync("group", "delete", "-g", "cli_del")).Expect(0).Out, StringComparison.Ordinal);
        string task = (await silo.RunAsync("group", "task", "-g", "cli_del")).Expect(0).Out;
        Assert.Contains(": group deleted successfully", task, StringComparison.Ordinal);
        Assert.Contains("deleted: index_rule 0, index_rule_binding 0, measure 1, property 0, stream 0, topn_aggregation 0, trace 0", task, StringComparison.Ordinal);
        Assert.Equal("PHASE_COMPLETED", JsonNode.Parse((await silo.RunAsync("group", "task", "-g", "cli_del", "-o", "json")).Expect(0).Out)!["task"]!["currentPhase"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_csv_write_with_bad_rows_reports_counts_and_failures_and_the_good_rows_are_queryable()
    {
        (await silo.RunAsync("group", "create", "-f", _files.Write("g.yaml", Samples.MeasureGroup("cli_w")))).Expect(0);
        (await silo.RunAsync("measure", "create", "-f", _files.Write("m.yaml", Samples.Measure("cli_w", "cpm")))).Expect(0);

        // Columns in another order than the schema's, a quoted cell, a bad timestamp, a bad integer, a short row.
        StringBuilder csv = new("value,timestamp,entity_id,id,total\n");
        for (int i = 0; i < 300; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i * 2},{At(i % 30)},entity-{i / 30 % 5},\"svc, {i / 30 % 5}\",{i}\n");
        }

        csv.Append("1,yesterday,entity-1,svc,1\n");      // line 302
        csv.Append(CultureInfo.InvariantCulture, $"1,{At(1)},entity-1,svc,many\n"); // line 303
        csv.Append(CultureInfo.InvariantCulture, $"1,{At(1)},entity-1\n");          // line 304
        string file = _files.Write("points.csv", csv.ToString());

        CliRun write = await silo.RunAsync("measure", "write", "-f", file, "-g", "cli_w", "-n", "cpm");
        write.Expect(1);
        Assert.Contains("303 rows read", write.Out, StringComparison.Ordinal);
        Assert.Contains("300 acknowledged, 3 failed", write.Out, StringComparison.Ordinal);
        Assert.Contains($"{file}:302: BAD_ROW: column 'timestamp': 'yesterday' is not a timestamp", write.Out, StringComparison.Ordinal);
        Assert.Contains($"{file}:303: BAD_ROW: column 'total': 'many' is not an integer", write.Out, StringComparison.Ordinal);
        Assert.Contains($"{file}:304: BAD_ROW: the row has 3 cells, the header 5", write.Out, StringComparison.Ordinal);

        string query = _files.Write("q.yaml", """
            name: cpm
            groups: ["cli_w"]
            tagProjection:
              tagFamilies:
                - name: default
                  tags: [id, entity_id]
            fieldProjection:
              names: [total, value]
            limit: 1000
            """);
        CliRun json = (await silo.RunAsync("measure", "query", "-f", query, "--duration", "1h", "-o", "json")).Expect(0);
        JsonArray points = JsonNode.Parse(json.Out)!["dataPoints"]!.AsArray();
        Assert.Equal(150, points.Count); // 5 entities x 30 minutes; later versions of the same point win.
        Assert.Contains(points, p => p!["tagFamilies"]![0]!["tags"]![0]!["value"]!["str"]!["value"]!.GetValue<string>() == "svc, 3");

        CliRun table = (await silo.RunAsync("measure", "query", "-f", query, "--start", At(2), "--end", At(0))).Expect(0);
        Assert.Contains("entity-", table.Out, StringComparison.Ordinal);
        Assert.Contains("15 data points", table.Out, StringComparison.Ordinal);

        // A range with nothing in it.
        Assert.Contains("no data points", (await silo.RunAsync("measure", "query", "-f", query, "-s", "-10d", "-e", "-9d")).Expect(0).Out, StringComparison.Ordinal);

        // TopN: the request reaches the server and its answer (a table) or its error (the server's message) is printed.
        // bydbctl's own TopN test file: enums by number (agg: 2 = MAX, fieldValueSort: 1 = DESC).
        string topn = _files.Write("topn.yaml", "name: cpm_top\ngroups: [cli_w]\ntopN: 3\nagg: 2\nfieldValueSort: 1\n");
        CliRun top = await silo.RunAsync("measure", "topn", "-f", topn, "-d", "1h");
        if (top.ExitCode == 0)
        {
            Assert.Matches("TopN items|RANK", top.Out);
        }
        else
        {
            top.AssertCleanError(1, ": ");
            Assert.Matches(@"^error: (UNIMPLEMENTED|NOT_FOUND|INVALID_ARGUMENT): \S", top.Error);
        }
    }

    [Fact]
    public async Task Json_lines_of_values_and_requests_report_the_servers_refusals_by_status()
    {
        (await silo.RunAsync("group", "create", "-f", _files.Write("g.yaml", Samples.StreamGroup("cli_ws")))).Expect(0);
        (await silo.RunAsync("stream", "create", "-f", _files.Write("s.yaml", Samples.Stream("cli_ws", "log")))).Expect(0);

        StringBuilder lines = new();
        for (int i = 0; i < 40; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $$$"""{"elementId":"e{{{i}}}","timestamp":"{{{At(i % 20)}}}","tagFamilies":[{"tags":[{"str":{"value":"svc-{{{i % 3}}}"}},{"int":{"value":"{{{i}}}"}}]}]}""").Append('\n');
        }

        lines.Append('\n'); // blank: skipped
        lines.Append("""{"elementId":"x","timestamp":5}""").Append('\n'); // line 42: not an ElementValue
        lines.Append(CultureInfo.InvariantCulture, $$$"""{"metadata":{"group":"cli_ws","name":"log"},"element":{"elementId":"e40","timestamp":"{{{At(1)}}}","tagFamilies":[{"tags":[{"str":{"value":"svc-1"}},{"int":{"value":"1"}}]}]}}""").Append('\n');
        lines.Append(CultureInfo.InvariantCulture, $$$"""{"metadata":{"group":"cli_ws","name":"nope"},"element":{"elementId":"e41","timestamp":"{{{At(1)}}}","tagFamilies":[]}}""").Append('\n'); // line 44
        string file = _files.Write("logs.jsonl", lines.ToString());

        CliRun write = await silo.RunAsync("stream", "write", "-f", file, "-g", "cli_ws", "-n", "log", "-o", "json");
        write.Expect(1);
        JsonNode summary = JsonNode.Parse(write.Out)!;
        Assert.Equal(43, summary["rows"]!.GetValue<long>());
        Assert.Equal(41, summary["acknowledged"]!.GetValue<long>());
        Assert.Equal(2, summary["failed"]!.GetValue<long>());
        JsonArray failures = summary["failures"]!.AsArray();
        Assert.Equal(42, failures[0]!["line"]!.GetValue<long>());
        Assert.Equal("BAD_ROW", failures[0]!["status"]!.GetValue<string>());
        Assert.Equal(44, failures[1]!["line"]!.GetValue<long>());
        Assert.Equal("STATUS_NOT_FOUND", failures[1]!["status"]!.GetValue<string>());

        string query = _files.Write("q.yaml", """
            name: log
            groups: ["cli_ws"]
            projection:
              tagFamilies:
                - name: searchable
                  tags: [service_id, level]
            limit: 100
            """);
        CliRun json = (await silo.RunAsync("stream", "query", "-f", query, "-d", "2h", "-o", "json")).Expect(0);
        Assert.Equal(41, JsonNode.Parse(json.Out)!["elements"]!.AsArray().Count);
        CliRun table = (await silo.RunAsync("stream", "query", "-f", query, "-d", "2h")).Expect(0);
        Assert.Contains("service_id", table.Out, StringComparison.Ordinal);
        Assert.Contains("41 elements", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Yaml_rows_and_standard_input_write_and_progress_lines_appear_when_not_a_terminal()
    {
        (await silo.RunAsync("group", "create", "-f", _files.Write("g.yaml", Samples.MeasureGroup("cli_wy")))).Expect(0);
        (await silo.RunAsync("measure", "create", "-f", _files.Write("m.yaml", Samples.Measure("cli_wy", "cpm")))).Expect(0);

        // One document that is a list of DataPointValues, then a document that is one WriteRequest.
        string yaml = _files.Write("rows.yaml", $$$"""
            - timestamp: "{{{At(3)}}}"
              tagFamilies:
                - tags: [{str: {value: a}}, {str: {value: e1}}]
              fields: [{int: {value: 1}}, {int: {value: 2}}]
            - timestamp: "{{{At(2)}}}"
              tagFamilies:
                - tags: [{str: {value: a}}, {str: {value: e1}}]
              fields: [{int: {value: 3}}, {int: {value: 4}}]
            - timestamp: "{{{At(1)}}}"
              tagFamiliez: []
            ---
            messageId: 9
            dataPoint:
              timestamp: "{{{At(1)}}}"
              tagFamilies:
                - tags: [{str: {value: b}}, {str: {value: e2}}]
              fields: [{int: {value: 5}}, {int: {value: 6}}]
            """);
        CliRun write = await silo.RunAsync("measure", "write", "-f", yaml, "-g", "cli_wy", "-n", "cpm");
        write.Expect(1);
        Assert.Contains("4 rows read", write.Out, StringComparison.Ordinal);
        Assert.Contains("3 acknowledged, 1 failed", write.Out, StringComparison.Ordinal);
        Assert.Contains($"{yaml}:9: BAD_ROW", write.Out, StringComparison.Ordinal);
        Assert.Contains("Unknown field: tagFamiliez", write.Out, StringComparison.Ordinal);

        // Standard input, JSON lines; a slow consumer is not needed to see progress lines: a tiny interval over many rows.
        StringBuilder lines = new();
        for (int i = 0; i < 3000; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $$$"""{"timestamp":"{{{At(i % 60)}}}","tagFamilies":[{"tags":[{"str":{"value":"s"}},{"str":{"value":"e{{{i % 10}}}"}}]}],"fields":[{"int":{"value":"{{{i}}}"}},{"int":{"value":"1"}}]}""").Append('\n');
        }

        CliRun piped = await silo.RunWithInputAsync(lines.ToString(), "measure", "write", "-f", "-", "-g", "cli_wy", "-n", "cpm", "--progress-interval", "0.01");
        piped.Expect(0);
        Assert.Contains("3000 rows read from <stdin>, 3000 acknowledged, 0 failed", piped.Out, StringComparison.Ordinal);
        Assert.Matches(@"progress: \d+ rows read, \d+ acknowledged, 0 failed, \d+ rows/s", piped.Error);
    }

    [Fact]
    public async Task Health_reports_both_endpoints()
    {
        CliRun health = (await silo.RunAsync("health")).Expect(0);
        Assert.Equal(2, health.Out.Split("SERVING").Length - 1);
        Assert.Contains("0.10", health.Out, StringComparison.Ordinal);
        JsonNode json = JsonNode.Parse((await silo.RunAsync("health", "-o", "json")).Expect(0).Out)!;
        Assert.Equal("SERVING", json["grpc"]!["status"]!.GetValue<string>());
    }
}
