using Google.Protobuf;

namespace Banyan.Api.Tests;

/// <summary>
/// Every schema, data, input and want file of BanyanDB's integration fixtures must parse, unchanged, into the
/// Banyan.Api message type BanyanDB itself reads it as, with unknown fields rejected. That is the evidence that
/// the protos carry BanyanDB's v1 names and shapes.
/// </summary>
public sealed class ConformanceFixtureTests
{
    // Every folder the fixtures README describes; each must contribute files.
    private static readonly string[] s_expectedFolders =
    [
        "pkg/test/stream/testdata",
        "pkg/test/stream/testdata/streams",
        "pkg/test/stream/testdata/index_rules",
        "pkg/test/stream/testdata/index_rule_bindings",
        "pkg/test/measure/testdata/groups",
        "pkg/test/measure/testdata/group_stages",
        "pkg/test/measure/testdata/measures",
        "pkg/test/measure/testdata/index_rules",
        "pkg/test/measure/testdata/index_rule_bindings",
        "pkg/test/measure/testdata/topn_aggregations",
        "pkg/test/trace/testdata/groups",
        "pkg/test/trace/testdata/groups_stages",
        "pkg/test/trace/testdata/traces",
        "pkg/test/trace/testdata/index_rules",
        "pkg/test/trace/testdata/index_rule_bindings",
        "pkg/test/property/testdata",
        "pkg/test/property/testdata/properties",
        "test/cases/stream/data/testdata",
        "test/cases/stream/data/input",
        "test/cases/stream/data/want",
        "test/cases/measure/data/testdata",
        "test/cases/measure/data/input",
        "test/cases/measure/data/want",
        "test/cases/topn/data/input",
        "test/cases/topn/data/want",
        "test/cases/trace/data/testdata",
        "test/cases/trace/data/input",
        "test/cases/trace/data/want",
        "test/cases/property/data/testdata",
        "test/cases/property/data/input",
        "test/cases/property/data/want",
    ];

    /// <summary>One row per fixture file, named by its path under the conformance root.</summary>
    public static TheoryData<string> FixturePaths()
    {
        TheoryData<string> data = [];
        foreach (FixtureSpec fixture in FixtureCatalog.Instance.Fixtures)
        {
            data.Add(fixture.RelativePath);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixturePaths))]
    public void Fixture_parses_into_its_BanyanDB_message_type(string relativePath)
    {
        FixtureCatalog catalog = FixtureCatalog.Instance;
        FixtureSpec spec = catalog.Get(relativePath);

        IReadOnlyList<IMessage> messages = FixtureReader.Read(catalog, spec);

        Assert.NotEmpty(messages);
        foreach (IMessage message in messages)
        {
            Assert.Equal(spec.Descriptor.FullName, message.Descriptor.FullName);
        }

        // Content must land somewhere: a document that carries any value may not parse into empty messages,
        // and only a document with no value at all (e.g. "traces: []") may.
        bool sourceCarriesValues = FixtureReader.CarriesValues(catalog, spec);
        bool parsedCarriesValues = messages.Any(m => m.CalculateSize() > 0);
        Assert.True(
            sourceCarriesValues == parsedCarriesValues,
            $"{relativePath}: source carries values = {sourceCarriesValues}, parsed messages carry values = {parsedCarriesValues}.");
    }

    [Fact]
    public void Conformance_fixtures_are_present()
    {
        // ConformanceRoot throws with the reason (and the override variable) when the folder is missing.
        string root = ConformanceRoot.Path;

        Assert.True(File.Exists(Path.Combine(root, "cases.json")), $"cases.json missing under {root}");
        Assert.True(File.Exists(Path.Combine(root, "seed.json")), $"seed.json missing under {root}");
    }

    [Fact]
    public void Every_fixture_file_is_classified_and_the_set_is_complete()
    {
        FixtureCatalog catalog = FixtureCatalog.Instance;

        Assert.True(catalog.Unclassified.Count == 0, "Fixture files with no known message type: " + string.Join(", ", catalog.Unclassified));
        foreach (string folder in s_expectedFolders)
        {
            int count = catalog.Fixtures.Count(f => Path.GetDirectoryName(f.RelativePath)!.Replace('\\', '/') == folder);
            Assert.True(count > 0, $"No fixture files under {folder}.");
        }

        int required = catalog.Fixtures.Count(f => FixtureCatalog.RequiredSuites.Contains(f.Suite));
        int total = catalog.Fixtures.Count;
        Assert.True(total >= 600, $"Only {total} fixture files covered ({required} from the stream, measure and topn suites); expected at least 600.");
        foreach (string suite in FixtureCatalog.AllSuites)
        {
            Assert.Contains(catalog.Fixtures, f => f.Suite == suite);
        }
    }
}
