using System.Text.Json;
using Banyan.Conformance.Cases;

namespace Banyan.Conformance.Running;

/// <summary>
/// The checked-in list of cases expected to fail, with why: <c>{"&lt;suite&gt;": {"&lt;case name&gt;": "reason"}}</c>.
/// A case name <c>*</c> lists every case of its suite; keys starting with <c>_</c> are comments. A listed case is
/// still run: when it fails it is reported as a known failure (skipped, with the reason), when it passes the test
/// fails and says to remove it, so the list cannot go stale.
/// </summary>
public sealed class KnownFailures
{
    /// <summary>The case-name key that lists a whole suite.</summary>
    public const string WholeSuite = "*";

    private readonly Dictionary<string, Dictionary<string, string>> _bySuite;

    private KnownFailures(Dictionary<string, Dictionary<string, string>> bySuite) => _bySuite = bySuite;

    /// <summary>An empty list.</summary>
    public static KnownFailures None { get; } = new([]);

    /// <summary>Every listed (suite, case name, reason); case name <see cref="WholeSuite"/> stands for the whole suite.</summary>
    public IEnumerable<(string Suite, string Case, string Reason)> Entries =>
        _bySuite.SelectMany(s => s.Value.Select(c => (s.Key, c.Key, c.Value)));

    /// <summary>Reads the list from JSON text.</summary>
    public static KnownFailures Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        Dictionary<string, Dictionary<string, string>> bySuite = new(StringComparer.Ordinal);
        foreach (JsonProperty suite in document.RootElement.EnumerateObject())
        {
            if (suite.Name.StartsWith('_'))
            {
                continue;
            }

            Dictionary<string, string> cases = new(StringComparer.Ordinal);
            foreach (JsonProperty entry in suite.Value.EnumerateObject())
            {
                string reason = entry.Value.GetString() ?? string.Empty;
                if (string.IsNullOrWhiteSpace(reason))
                {
                    throw new FormatException($"known failures: {suite.Name}/'{entry.Name}' needs a reason.");
                }

                cases[entry.Name] = reason;
            }

            bySuite[suite.Name] = cases;
        }

        return new KnownFailures(bySuite);
    }

    /// <summary>Reads the list from <paramref name="path"/>.</summary>
    public static KnownFailures Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>The reason <paramref name="conformanceCase"/> is listed, or null when it is not.</summary>
    public string? ReasonFor(ConformanceCase conformanceCase)
    {
        ArgumentNullException.ThrowIfNull(conformanceCase);
        if (!_bySuite.TryGetValue(conformanceCase.Suite, out Dictionary<string, string>? cases))
        {
            return null;
        }

        return cases.TryGetValue(conformanceCase.Name, out string? reason) ? reason
            : cases.TryGetValue(WholeSuite, out string? suiteReason) ? suiteReason
            : null;
    }

    /// <summary>Entries that name no suite or case of <paramref name="cases"/> (each must be fixed or removed).</summary>
    public IReadOnlyList<string> Unknown(CaseTable cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        List<string> unknown = [];
        foreach ((string suite, string name, string _) in Entries)
        {
            if (!cases.Suites.TryGetValue(suite, out ConformanceSuite? table))
            {
                unknown.Add($"{suite}/{name}: no such suite");
            }
            else if (name != WholeSuite && table.Cases.All(c => c.Name != name))
            {
                unknown.Add($"{suite}/{name}: no such case");
            }
        }

        return unknown;
    }
}
