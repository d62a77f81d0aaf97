using Banyan.Cli.Tests.Infrastructure;

namespace Banyan.Cli.Tests;

/// <summary>Bad files and command lines: one clear line naming the file and line (or the option), exit code 2, nothing sent.</summary>
[Collection(SharedSilo.Name)]
public sealed class BadInputTests(SiloFixture silo) : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task An_unknown_field_names_the_file_and_its_line()
    {
        string file = _files.Write("bad.yaml", """
            metadata:
              name: m2
              group: cli_bad
            tag_familes:
              - name: default
            """);
        (await silo.RunAsync("measure", "create", "-f", file)).AssertCleanError(2, $"{file}:4: document 1 is not a valid banyandb.database.v1.Measure: Unknown field: tag_familes");
    }

    [Fact]
    public async Task A_bad_enum_value_in_the_second_document_names_its_line_and_nothing_is_created()
    {
        string file = _files.Write("groups.yaml", Samples.MeasureGroup("cli_bad_first") + "\n---\n" + Samples.MeasureGroup("cli_bad_second").Replace("CATALOG_MEASURE", "CATALOG_NOPE", StringComparison.Ordinal));
        (await silo.RunAsync("group", "create", "-f", file)).AssertCleanError(2, $"{file}:15: document 2 is not a valid banyandb.common.v1.Group");
        (await silo.RunAsync("group", "get", "-g", "cli_bad_first")).AssertCleanError(1, "NOT_FOUND");
    }

    [Fact]
    public async Task Malformed_yaml_and_json_name_the_line()
    {
        string yaml = _files.Write("broken.yaml", "metadata:\n  name: x\n  group: [unclosed\ncatalog: CATALOG_MEASURE\n");
        CliRun run = await silo.RunAsync("group", "create", "-f", yaml);
        run.AssertCleanError(2, $"{yaml}:");
        Assert.Contains("not valid YAML", run.Error, StringComparison.Ordinal);

        string json = _files.Write("broken.json", "{\n  \"metadata\": {\"name\": \"x\"},\n  \"catalog\": CATALOG_MEASURE\n}\n");
        (await silo.RunAsync("group", "create", "-f", json)).AssertCleanError(2, $"{json}:3: not valid JSON");
    }

    [Fact]
    public async Task A_missing_group_or_name_or_file_is_a_clear_error()
    {
        string noGroup = _files.Write("nogroup.yaml", Samples.Measure(group: null, "cpm"));
        (await silo.RunAsync("measure", "create", "-f", noGroup)).AssertCleanError(2, "has no metadata.group; give it in the file or with -g");
        string noName = _files.Write("noname.yaml", "metadata:\n  group: g\ntag_families: []\n");
        (await silo.RunAsync("stream", "create", "-f", noName)).AssertCleanError(2, $"{noName}:1: document 1: metadata.name is missing");
        string missing = Path.Combine(_files.Root, "missing.yaml");
        (await silo.RunAsync("group", "create", "-f", missing)).AssertCleanError(2, $"{missing}: cannot read the file");
    }

    [Fact]
    public async Task A_bad_command_line_says_what_and_where_to_look()
    {
        CliRun run = await silo.RunAsync("measure", "get", "-g", "x");
        run.AssertCleanError(2, "Option '--name' is required.");
        Assert.Contains("See 'banyan measure get --help'.", run.Error, StringComparison.Ordinal);
        (await silo.RunAsync("measure", "query", "-f", _files.Write("q.yaml", "name: m\ngroups: [g]\n"), "--start", "yesterday")).AssertCleanError(2, "--start 'yesterday' is neither");
        (await silo.RunAsync("group", "list", "-o", "xml")).AssertCleanError(2, "xml");
    }

    [Fact]
    public async Task Every_command_has_its_own_help()
    {
        string[][] commands =
        [
            [], ["group"], ["group", "create"], ["group", "delete"], ["stream", "query"], ["stream", "write"], ["measure", "write"],
            ["measure", "topn"], ["measure", "query"], ["index-rule", "list"], ["index-rule-binding", "get"], ["topn-agg", "update"], ["health"],
        ];
        foreach (string[] command in commands)
        {
            CliRun help = (await CliRun.RunAsync([.. command, "--help"])).Expect(0);
            Assert.Contains("Usage:", help.Out, StringComparison.Ordinal);
            // The usage line names the command path (the root's name is the executable's: testhost here, banyan installed).
            Assert.Contains(command.Length == 0 ? " [command] [options]" : $" {string.Join(' ', command)} [", help.Out, StringComparison.Ordinal);
            if (command.Length == 2)
            {
                Assert.Contains("Example", help.Out, StringComparison.Ordinal);
            }
        }
    }
}
