using System.Text.Json;
using Banyan.Conformance.Fixtures;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Conformance.Cases;

/// <summary>
/// The case tables of <c>cases.json</c>, read strictly: a case property the harness does not know is an error, so
/// a new upstream flag cannot be dropped without anyone noticing.
/// </summary>
public sealed class CaseTable
{
    private static readonly HashSet<string> s_caseProperties = new(StringComparer.Ordinal)
    {
        "name", "input", "want", "offsetMs", "durationMs", "begin", "end", "stages",
        "wantErr", "wantEmpty", "disOrder", "ignoreElementID", "note",
    };

    private readonly Dictionary<string, ConformanceSuite> _suites;

    private CaseTable(Dictionary<string, ConformanceSuite> suites) => _suites = suites;

    /// <summary>Every suite, keyed by name.</summary>
    public IReadOnlyDictionary<string, ConformanceSuite> Suites => _suites;

    /// <summary>Returns the suite named <paramref name="name"/>; throws when there is none.</summary>
    public ConformanceSuite Get(string name) =>
        _suites.TryGetValue(name, out ConformanceSuite? suite)
            ? suite
            : throw new KeyNotFoundException($"cases.json has no suite '{name}'.");

    /// <summary>Reads <c>cases.json</c> under <paramref name="root"/>.</summary>
    public static CaseTable Load(string root)
    {
        string path = Path.Combine(root, "cases.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        Dictionary<string, ConformanceSuite> suites = new(StringComparer.Ordinal);
        foreach (JsonProperty suite in document.RootElement.GetProperty("suites").EnumerateObject())
        {
            suites[suite.Name] = ReadSuite(suite.Name, suite.Value);
        }

        return new CaseTable(suites);
    }

    private static ConformanceSuite ReadSuite(string name, JsonElement suite)
    {
        List<ConformanceCase> cases = [];
        foreach (JsonElement row in suite.GetProperty("cases").EnumerateArray())
        {
            cases.Add(ReadCase(name, row));
        }

        return new ConformanceSuite
        {
            Name = name,
            RequestType = ApiMessageTypes.Find(suite.GetProperty("requestType").GetString()!),
            ResponseType = ApiMessageTypes.Find(suite.GetProperty("responseType").GetString()!),
            Rpc = suite.GetProperty("rpc").GetString()!,
            InputDir = suite.GetProperty("inputDir").GetString()!,
            WantDir = suite.GetProperty("wantDir").GetString()!,
            FileExtension = suite.GetProperty("fileExt").GetString()!,
            IgnoreFields = [.. suite.GetProperty("ignoreFields").EnumerateArray().Select(f => f.GetString()!)],
            DeclaredCount = suite.GetProperty("count").GetInt32(),
            Cases = cases,
        };
    }

    private static ConformanceCase ReadCase(string suite, JsonElement row)
    {
        string name = row.GetProperty("name").GetString()!;
        foreach (JsonProperty property in row.EnumerateObject())
        {
            if (!s_caseProperties.Contains(property.Name))
            {
                throw new FormatException($"cases.json {suite}/'{name}': unknown case property '{property.Name}'.");
            }
        }

        string input = row.GetProperty("input").GetString()!;
        Timestamp? begin = ReadTimestamp(row, "begin");
        Timestamp? end = ReadTimestamp(row, "end");
        if ((begin is null) != (end is null))
        {
            throw new FormatException($"cases.json {suite}/'{name}': 'begin' and 'end' go together.");
        }

        return new ConformanceCase
        {
            Suite = suite,
            Name = name,
            Input = input,
            Want = row.TryGetProperty("want", out JsonElement want) ? want.GetString()! : input,
            OffsetMs = row.TryGetProperty("offsetMs", out JsonElement offset) ? offset.GetInt64() : 0,
            DurationMs = row.TryGetProperty("durationMs", out JsonElement duration) ? duration.GetInt64() : 0,
            Begin = begin,
            End = end,
            Stages = row.TryGetProperty("stages", out JsonElement stages) ? [.. stages.EnumerateArray().Select(s => s.GetString()!)] : [],
            WantErr = Flag(row, "wantErr"),
            WantEmpty = Flag(row, "wantEmpty"),
            DisOrder = Flag(row, "disOrder"),
            IgnoreElementId = Flag(row, "ignoreElementID"),
            Note = row.TryGetProperty("note", out JsonElement note) ? note.GetString() : null,
        };
    }

    private static bool Flag(JsonElement row, string property) =>
        row.TryGetProperty(property, out JsonElement value) && value.GetBoolean();

    private static Timestamp? ReadTimestamp(JsonElement row, string property) =>
        row.TryGetProperty(property, out JsonElement value)
            ? new Timestamp { Seconds = value.GetProperty("seconds").GetInt64(), Nanos = value.GetProperty("nanos").GetInt32() }
            : null;
}
