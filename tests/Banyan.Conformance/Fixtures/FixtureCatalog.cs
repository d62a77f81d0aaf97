using System.Text.Json;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Google.Protobuf.Reflection;

namespace Banyan.Conformance.Fixtures;

/// <summary>
/// Every data file of the conformance fixtures with the message type it holds. The mapping comes from the
/// fixtures' own README, <c>cases.json</c> (request/response type per suite) and <c>seed.json</c> (write mode per
/// data file). A file the catalog cannot place is reported in <see cref="Unclassified"/> so no file is skipped quietly.
/// </summary>
public sealed class FixtureCatalog
{
    /// <summary>The suites this project must cover (schemas, data, inputs and wants).</summary>
    public static readonly string[] RequiredSuites = ["stream", "measure", "topn"];

    /// <summary>All suites in the fixtures.</summary>
    public static readonly string[] AllSuites = ["stream", "measure", "topn", "trace", "property"];

    // Schema folders under pkg/test/<catalog>/testdata/ and the message each file holds.
    private static readonly Dictionary<string, MessageDescriptor> s_schemaFolders = new(StringComparer.Ordinal)
    {
        ["groups"] = Group.Descriptor,
        ["group_stages"] = Group.Descriptor,
        ["groups_stages"] = Group.Descriptor,
        ["streams"] = Banyan.Api.Database.V1.Stream.Descriptor,
        ["measures"] = Banyan.Api.Database.V1.Measure.Descriptor,
        ["traces"] = Banyan.Api.Database.V1.Trace.Descriptor,
        ["properties"] = Banyan.Api.Database.V1.Property.Descriptor,
        ["index_rules"] = IndexRule.Descriptor,
        ["index_rule_bindings"] = IndexRuleBinding.Descriptor,
        ["topn_aggregations"] = TopNAggregation.Descriptor,
    };

    private static readonly Lazy<FixtureCatalog> s_instance = new(() => Load(ConformanceRoot.Path));

    private readonly Dictionary<string, FixtureSpec> _byPath;

    private FixtureCatalog(string root, List<FixtureSpec> fixtures, List<string> unclassified)
    {
        Root = root;
        Fixtures = fixtures;
        Unclassified = unclassified;
        _byPath = fixtures.ToDictionary(f => f.RelativePath, StringComparer.Ordinal);
    }

    /// <summary>The catalog of the located conformance root.</summary>
    public static FixtureCatalog Instance => s_instance.Value;

    /// <summary>The conformance root the catalog was read from.</summary>
    public string Root { get; }

    /// <summary>Every classified fixture file, sorted by path.</summary>
    public IReadOnlyList<FixtureSpec> Fixtures { get; }

    /// <summary>Data files found on disk that no rule could place (must be empty).</summary>
    public IReadOnlyList<string> Unclassified { get; }

    /// <summary>The fixture at <paramref name="relativePath"/>; throws when the catalog did not classify it.</summary>
    public FixtureSpec Get(string relativePath) =>
        _byPath.TryGetValue(relativePath, out FixtureSpec? spec)
            ? spec
            : throw new KeyNotFoundException($"'{relativePath}' is not a classified fixture.");

    /// <summary>The full path of a file given relative to <see cref="Root"/>.</summary>
    public string FullPath(string relativePath) => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    private static FixtureCatalog Load(string root)
    {
        Dictionary<string, (MessageDescriptor Request, MessageDescriptor Response)> suiteTypes = ReadSuiteTypes(root);
        Dictionary<string, (string Mode, string? Kind)> writeModes = ReadWriteModes(root);

        List<FixtureSpec> fixtures = [];
        List<string> unclassified = [];
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative is "README.md" or "cases.json" or "seed.json")
            {
                continue;
            }

            FixtureSpec? spec = Classify(relative, suiteTypes, writeModes);
            if (spec is null)
            {
                unclassified.Add(relative);
            }
            else
            {
                fixtures.Add(spec);
            }
        }

        fixtures.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        unclassified.Sort(StringComparer.Ordinal);
        return new FixtureCatalog(root, fixtures, unclassified);
    }

    private static FixtureSpec? Classify(
        string relative,
        Dictionary<string, (MessageDescriptor Request, MessageDescriptor Response)> suiteTypes,
        Dictionary<string, (string Mode, string? Kind)> writeModes)
    {
        string[] parts = relative.Split('/');

        // pkg/test/<catalog>/testdata/<folder>/<file>.json or pkg/test/<catalog>/testdata/<file>.json
        if (parts.Length >= 5 && parts[0] == "pkg" && parts[1] == "test" && parts[3] == "testdata" && relative.EndsWith(".json", StringComparison.Ordinal))
        {
            string suite = parts[2];
            if (parts.Length == 6 && s_schemaFolders.TryGetValue(parts[4], out MessageDescriptor? schema))
            {
                return new FixtureSpec(relative, FixtureFormat.Message, schema, suite);
            }

            if (parts.Length == 5)
            {
                return parts[4] switch
                {
                    // Stream and property groups are kept as one JSON array per file.
                    "group.json" or "group_with_stages.json" => new FixtureSpec(relative, FixtureFormat.MessageArray, Group.Descriptor, suite),
                    // Searchable tag families of the deduplication stream, without element ids.
                    "deduplication_test.json" => new FixtureSpec(relative, FixtureFormat.MessageArray, TagFamilyForWrite.Descriptor, suite),
                    _ => null,
                };
            }

            return null;
        }

        // test/cases/<suite>/data/<input|want|testdata>/<file>
        if (parts.Length == 6 && parts[0] == "test" && parts[1] == "cases" && parts[3] == "data")
        {
            string suite = parts[2];
            if (!suiteTypes.TryGetValue(suite, out (MessageDescriptor Request, MessageDescriptor Response) types))
            {
                return null;
            }

            bool yaml = relative.EndsWith(".yaml", StringComparison.Ordinal) || relative.EndsWith(".yml", StringComparison.Ordinal);
            return parts[4] switch
            {
                "input" when yaml => new FixtureSpec(relative, FixtureFormat.Message, types.Request, suite),
                "want" when yaml && suite == "trace" => new FixtureSpec(relative, FixtureFormat.TraceQueryResponse, types.Response, suite),
                "want" when yaml => new FixtureSpec(relative, FixtureFormat.Message, types.Response, suite),
                "testdata" when writeModes.TryGetValue(relative, out (string Mode, string? Kind) write) => ClassifyWriteData(relative, suite, write.Mode, write.Kind),
                // A measure data file the upstream schedule does not write (service_cpm_minute_data1.json) still has
                // the folder's documented shape: an array of DataPointValue.
                "testdata" when suite == "measure" => ClassifyWriteData(relative, suite, "measureTrailing", null),
                _ => null,
            };
        }

        return null;
    }

    // seed.json names a write mode per data file; the mode fixes the file's shape (see the fixtures' README).
    private static FixtureSpec? ClassifyWriteData(string relative, string suite, string mode, string? kind) => mode switch
    {
        "streamCounter" => new FixtureSpec(relative, FixtureFormat.MessageArray, TagFamilyForWrite.Descriptor, suite),
        "streamMixed" when kind == "schemaOrder" => new FixtureSpec(relative, FixtureFormat.MessageArray, TagFamilyForWrite.Descriptor, suite),
        "streamMixed" when kind == "spec" => new FixtureSpec(relative, FixtureFormat.MessageArray, Banyan.Api.Stream.V1.ElementValue.Descriptor, suite),
        "streamExplicitId" => new FixtureSpec(relative, FixtureFormat.ExplicitIdTagFamilyArray, TagFamilyForWrite.Descriptor, suite),
        "measureTrailing" or "measureMixed" => new FixtureSpec(relative, FixtureFormat.MessageArray, Banyan.Api.Measure.V1.DataPointValue.Descriptor, suite),
        "traceVersioned" or "traceMixed" => new FixtureSpec(relative, FixtureFormat.TraceSpanArray, Banyan.Api.Trace.V1.WriteRequest.Descriptor, suite),
        "propertyApply" => new FixtureSpec(relative, FixtureFormat.Message, Banyan.Api.Property.V1.ApplyRequest.Descriptor, suite),
        _ => null,
    };

    private static Dictionary<string, (MessageDescriptor Request, MessageDescriptor Response)> ReadSuiteTypes(string root)
    {
        using JsonDocument cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "cases.json")));
        Dictionary<string, (MessageDescriptor, MessageDescriptor)> types = new(StringComparer.Ordinal);
        foreach (JsonProperty suite in cases.RootElement.GetProperty("suites").EnumerateObject())
        {
            types[suite.Name] = (
                ApiMessageTypes.Find(suite.Value.GetProperty("requestType").GetString()!),
                ApiMessageTypes.Find(suite.Value.GetProperty("responseType").GetString()!));
        }

        return types;
    }

    private static Dictionary<string, (string Mode, string? Kind)> ReadWriteModes(string root)
    {
        using JsonDocument seed = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "seed.json")));
        Dictionary<string, (string, string?)> modes = new(StringComparer.Ordinal);
        foreach (JsonElement step in seed.RootElement.GetProperty("steps").EnumerateArray())
        {
            if (!step.TryGetProperty("mode", out JsonElement mode))
            {
                continue; // a pause between steps ("wait"), no data file
            }

            if (step.TryGetProperty("parts", out JsonElement stepParts))
            {
                foreach (JsonElement part in stepParts.EnumerateArray())
                {
                    AddMode(modes, part.GetProperty("file").GetString()!, mode.GetString()!, part.GetProperty("kind").GetString());
                }
            }
            else
            {
                AddMode(modes, step.GetProperty("file").GetString()!, mode.GetString()!, null);
            }
        }

        return modes;
    }

    private static void AddMode(Dictionary<string, (string, string?)> modes, string file, string mode, string? kind)
    {
        // The same file may be written several times (e.g. once more beyond the TTL); its shape must not change.
        if (modes.TryGetValue(file, out (string Mode, string? Kind) existing) && existing != (mode, kind))
        {
            throw new InvalidOperationException($"seed.json writes '{file}' both as {existing} and as ({mode}, {kind}).");
        }

        modes[file] = (mode, kind);
    }
}
