using System.Text.Json.Nodes;
using Banyan.Cli.Tests.Infrastructure;

namespace Banyan.Cli.Tests;

/// <summary>create, update, get, list and delete of every schema kind, with bydbctl-shaped files, against the real silo.</summary>
[Collection(SharedSilo.Name)]
public sealed class SchemaCommandTests(SiloFixture silo) : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Groups_are_created_from_several_yaml_documents_and_listed_got_updated_and_deleted()
    {
        string file = _files.Write("groups.yaml", Samples.MeasureGroup("cli_g1") + "\n---\n" + Samples.StreamGroup("cli_g2") + "\n---\n");
        CliRun create = (await silo.RunAsync("group", "create", "-f", file)).Expect(0);
        Assert.Contains("group cli_g1 is created", create.Out, StringComparison.Ordinal);
        Assert.Contains("group cli_g2 is created", create.Out, StringComparison.Ordinal);

        CliRun list = (await silo.RunAsync("group", "list")).Expect(0);
        Assert.Contains("cli_g1", list.Out, StringComparison.Ordinal);
        Assert.Contains("cli_g2", list.Out, StringComparison.Ordinal);
        Assert.Contains("MEASURE", list.Out, StringComparison.Ordinal);

        CliRun get = (await silo.RunAsync("group", "get", "-g", "cli_g1", "-o", "json")).Expect(0);
        JsonNode group = JsonNode.Parse(get.Out)!["group"]!;
        Assert.Equal("CATALOG_MEASURE", group["catalog"]!.GetValue<string>());
        Assert.Equal(2, group["resourceOpts"]!["shardNum"]!.GetValue<int>());

        string update = _files.Write("g1.yaml", Samples.MeasureGroup("cli_g1").Replace("num: 7", "num: 9", StringComparison.Ordinal));
        Assert.Contains("group cli_g1 is updated", (await silo.RunAsync("group", "update", "-f", update)).Expect(0).Out, StringComparison.Ordinal);
        Assert.Contains("9 days", (await silo.RunAsync("group", "get", "-n", "cli_g1")).Expect(0).Out, StringComparison.Ordinal);

        CliRun dryRun = (await silo.RunAsync("group", "delete", "-g", "cli_g2", "--dry-run")).Expect(0);
        Assert.Contains("dry run", dryRun.Out, StringComparison.Ordinal);
        (await silo.RunAsync("group", "get", "-g", "cli_g2")).Expect(0);
        Assert.Contains("group cli_g2 is deleted", (await silo.RunAsync("group", "delete", "-g", "cli_g2")).Expect(0).Out, StringComparison.Ordinal);
        (await silo.RunAsync("group", "get", "-g", "cli_g2")).AssertCleanError(1, "NOT_FOUND");
    }

    [Fact]
    public async Task Measure_lifecycle_with_the_group_from_the_flag_and_yaml_output_that_reads_back()
    {
        (await silo.RunAsync("group", "create", "-f", _files.Write("g.yaml", Samples.MeasureGroup("cli_m")))).Expect(0);
        string measure = _files.Write("m.yaml", Samples.Measure(group: null, "cpm"));
        Assert.Contains("measure cli_m.cpm is created", (await silo.RunAsync("measure", "create", "-f", measure, "-g", "cli_m")).Expect(0).Out, StringComparison.Ordinal);

        CliRun table = (await silo.RunAsync("measure", "get", "-g", "cli_m", "-n", "cpm")).Expect(0);
        Assert.Contains("total:int, value:int", table.Out, StringComparison.Ordinal);
        Assert.Contains("entity_id", table.Out, StringComparison.Ordinal);

        // -o yaml prints the answer; its schema part is a file that update takes (bydbctl's get-edit-update loop).
        CliRun yaml = (await silo.RunAsync("measure", "get", "-g", "cli_m", "-n", "cpm", "-o", "yaml")).Expect(0);
        Assert.Contains("modRevision: \"", yaml.Out, StringComparison.Ordinal);
        string edited = yaml.Out.Replace("  - name: entity_id\n      type: TAG_TYPE_STRING", "  - name: entity_id\n      type: TAG_TYPE_STRING\n    - name: zone\n      type: TAG_TYPE_STRING", StringComparison.Ordinal);
        Assert.NotEqual(yaml.Out, edited);
        (await silo.RunAsync("measure", "update", "-f", _files.Write("edited.yaml", edited))).Expect(0);
        JsonNode got = JsonNode.Parse((await silo.RunAsync("measure", "get", "-g", "cli_m", "-n", "cpm", "-o", "json")).Expect(0).Out)!;
        Assert.Equal("zone", got["measure"]!["tagFamilies"]![0]!["tags"]![2]!["name"]!.GetValue<string>());

        Assert.Contains("cpm", (await silo.RunAsync("measure", "list", "-g", "cli_m")).Expect(0).Out, StringComparison.Ordinal);
        (await silo.RunAsync("measure", "create", "-f", measure, "-g", "cli_m")).AssertCleanError(1, "ALREADY_EXISTS: Measure 'cli_m/cpm' already exists.");
        Assert.Contains("measure cli_m.cpm is deleted", (await silo.RunAsync("measure", "delete", "-g", "cli_m", "-n", "cpm")).Expect(0).Out, StringComparison.Ordinal);
        (await silo.RunAsync("measure", "delete", "-g", "cli_m", "-n", "cpm")).AssertCleanError(1, "does not exist");
        (await silo.RunAsync("measure", "get", "-g", "cli_m", "-n", "cpm")).AssertCleanError(1, "NOT_FOUND: Measure 'cli_m/cpm' does not exist.");
        Assert.Contains("no measures in group cli_m", (await silo.RunAsync("measure", "list", "-g", "cli_m")).Expect(0).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_index_rules_bindings_and_topn_aggregations_have_every_command()
    {
        (await silo.RunAsync("group", "create", "-f", _files.Write("gs.yaml", Samples.StreamGroup("cli_s")))).Expect(0);
        (await silo.RunAsync("group", "create", "-f", _files.Write("gm.yaml", Samples.MeasureGroup("cli_t")))).Expect(0);
        (await silo.RunAsync("measure", "create", "-f", _files.Write("m.yaml", Samples.Measure("cli_t", "cpm")))).Expect(0);

        // A folder: every YAML file in it, in name order.
        _files.Write("dir/1-stream.yaml", Samples.Stream("cli_s", "log"));
        _files.Write("dir/2-rule.yaml", """
            metadata:
              name: level
              group: cli_s
            tags: ["level"]
            type: TYPE_INVERTED
            """);
        _files.Write("dir/3-binding.yml", """
            metadata:
              name: log_binding
              group: cli_s
            rules: ["level"]
            subject:
              catalog: CATALOG_STREAM
              name: log
            begin_at: "2021-04-15T01:30:15.01Z"
            expire_at: "2121-04-15T01:30:15.01Z"
            """);
        (await silo.RunAsync("stream", "create", "-f", Path.Combine(_files.Root, "dir", "1-stream.yaml"))).Expect(0);
        (await silo.RunAsync("index-rule", "create", "-f", Path.Combine(_files.Root, "dir", "2-rule.yaml"))).Expect(0);
        (await silo.RunAsync("index-rule-binding", "create", "-f", Path.Combine(_files.Root, "dir", "3-binding.yml"))).Expect(0);
        Assert.Contains("log", (await silo.RunAsync("stream", "list", "-g", "cli_s")).Expect(0).Out, StringComparison.Ordinal);
        Assert.Contains("INVERTED", (await silo.RunAsync("index-rule", "get", "-g", "cli_s", "-n", "level")).Expect(0).Out, StringComparison.Ordinal);
        Assert.Contains("stream log", (await silo.RunAsync("index-rule-binding", "list", "-g", "cli_s")).Expect(0).Out, StringComparison.Ordinal);

        // The same folder again: every document exists, so each is refused and the command exits 1 naming them all.
        CliRun again = await silo.RunAsync("stream", "create", "-f", Path.Combine(_files.Root, "dir", "1-stream.yaml"));
        again.AssertCleanError(1, "ALREADY_EXISTS");

        // TopN aggregation: create from JSON (the gateway's request shape, {"top_n_aggregation": {...}}), then the rest.
        string topn = _files.Write("topn.json", """
            {"top_n_aggregation": {
              "metadata": {"group": "cli_t", "name": "cpm_top"},
              "source_measure": {"group": "cli_t", "name": "cpm"},
              "field_name": "value", "field_value_sort": "SORT_DESC",
              "group_by_tag_names": ["entity_id"], "counters_number": 100}}
            """);
        Assert.Contains("TopN aggregation cli_t.cpm_top is created", (await silo.RunAsync("topn-agg", "create", "-f", topn)).Expect(0).Out, StringComparison.Ordinal);
        Assert.Contains("cli_t/cpm", (await silo.RunAsync("topn-agg", "get", "-g", "cli_t", "-n", "cpm_top")).Expect(0).Out, StringComparison.Ordinal);
        (await silo.RunAsync("topn-agg", "update", "-f", _files.Write("topn2.json", File.ReadAllText(topn).Replace("100", "50", StringComparison.Ordinal)))).Expect(0);
        JsonNode list = JsonNode.Parse((await silo.RunAsync("topn-agg", "list", "-g", "cli_t", "-o", "json")).Expect(0).Out)!;
        Assert.Equal(50, list["topNAggregation"]![0]!["countersNumber"]!.GetValue<int>());

        foreach ((string kind, string group, string name) in new[]
        {
            ("topn-agg", "cli_t", "cpm_top"), ("index-rule-binding", "cli_s", "log_binding"), ("index-rule", "cli_s", "level"), ("stream", "cli_s", "log"),
        })
        {
            (await silo.RunAsync(kind, "delete", "-g", group, "-n", name)).Expect(0);
            (await silo.RunAsync(kind, "get", "-g", group, "-n", name)).AssertCleanError(1, "NOT_FOUND");
        }
    }

    [Fact]
    public async Task Standard_input_and_json_output_work_for_scripts()
    {
        CliRun create = (await silo.RunWithInputAsync(Samples.MeasureGroup("cli_stdin"), "group", "create", "-f", "-", "-o", "json")).Expect(0);
        Assert.True(long.Parse(JsonNode.Parse(create.Out)!["modRevision"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        CliRun yaml = (await silo.RunAsync("group", "list", "-o", "yaml")).Expect(0);
        Assert.Contains("name: cli_stdin", yaml.Out, StringComparison.Ordinal);
    }
}
