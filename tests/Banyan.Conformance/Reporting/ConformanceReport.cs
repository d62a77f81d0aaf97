using System.Globalization;
using System.Text;
using Banyan.Conformance.Cases;
using Banyan.Conformance.Comparison;
using Banyan.Conformance.Running;
using Banyan.Conformance.Seeding;

namespace Banyan.Conformance.Reporting;

/// <summary>
/// The Markdown report of a conformance run: a summary table per suite (passed / failed / known failures / not run),
/// then every failure with its input and want files, window, reason and first differences, then the known failures.
/// docs/conformance.md's results table is updated from it.
/// </summary>
public static class ConformanceReport
{
    /// <summary>The report file name for <paramref name="targetName"/>: <c>conformance-&lt;target&gt;.md</c>.</summary>
    public static string FileName(string targetName) => $"conformance-{targetName}.md";

    /// <summary>Renders the report.</summary>
    /// <param name="targetName">The target's name.</param>
    /// <param name="suites">The suites run, each with all its cases (a case without outcome counts as not run).</param>
    /// <param name="outcomes">The outcomes, keyed by <see cref="ConformanceCase.Key"/>.</param>
    /// <param name="seed">The seeding result, or null when seeding did not complete.</param>
    /// <param name="seedFailure">Why seeding failed, or null.</param>
    /// <param name="generatedAt">When the report is written.</param>
    public static string Render(
        string targetName,
        IReadOnlyList<ConformanceSuite> suites,
        IReadOnlyDictionary<string, CaseOutcome> outcomes,
        SeedResult? seed,
        string? seedFailure,
        DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(suites);
        ArgumentNullException.ThrowIfNull(outcomes);
        StringBuilder md = new();
        md.Append("# BanyanDB conformance: `").Append(targetName).Append("`\n\n");
        md.Append("Generated ").Append(generatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC by `tests/Banyan.Conformance.Tests`");
        md.Append(" (see docs/conformance.md for the rules).\n\n");
        if (seed is not null)
        {
            md.Append("Seeding: base time B = ").Append(seed.BaseTime).Append("; ").Append(seed.SchemasCreated).Append(" schemas created, ")
              .Append(seed.StepsWritten).Append(" write streams, ").Append(seed.RequestsWritten).Append(" write requests, every response checked.\n\n");
        }

        if (seedFailure is not null)
        {
            md.Append("**Seeding failed**, so no case ran:\n\n```\n").Append(seedFailure).Append("\n```\n\n");
        }

        md.Append("| suite | cases | passed | failed | known failures | not run |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (ConformanceSuite suite in suites)
        {
            List<CaseOutcome?> rows = [.. suite.Cases.Select(c => outcomes.GetValueOrDefault(c.Key))];
            int passed = rows.Count(o => o?.Status == CaseStatus.Passed);
            int failed = rows.Count(o => o?.Status is CaseStatus.Failed or CaseStatus.UnexpectedPass);
            int knownCount = rows.Count(o => o?.Status == CaseStatus.KnownFailure);
            int notRun = rows.Count(o => o is null || o.Status == CaseStatus.NotRun);
            md.Append("| ").Append(suite.Name).Append(" | ").Append(suite.Cases.Count).Append(" | ").Append(passed).Append(" | ").Append(failed)
              .Append(" | ").Append(knownCount).Append(" | ").Append(notRun).Append(" |\n");
        }

        List<CaseOutcome> failures = [.. Ordered(suites, outcomes).Where(o => o.Status is CaseStatus.Failed or CaseStatus.UnexpectedPass)];
        md.Append("\n## Failures (").Append(failures.Count).Append(")\n");
        if (failures.Count == 0)
        {
            md.Append("\nNone.\n");
        }

        foreach (CaseOutcome outcome in failures)
        {
            AppendCase(md, outcome);
        }

        List<CaseOutcome> known = [.. Ordered(suites, outcomes).Where(o => o.Status == CaseStatus.KnownFailure)];
        if (known.Count > 0)
        {
            md.Append("\n## Known failures (").Append(known.Count).Append(", listed in known-failures.json)\n\n| suite | case | reason |\n| --- | --- | --- |\n");
            foreach (CaseOutcome outcome in known)
            {
                md.Append("| ").Append(outcome.Case.Suite).Append(" | ").Append(Cell(outcome.Case.Name)).Append(" | ").Append(Cell(outcome.Reason)).Append(" |\n");
            }
        }

        return md.ToString();
    }

    private static void AppendCase(StringBuilder md, CaseOutcome outcome)
    {
        md.Append("\n### ").Append(outcome.Case.Suite).Append(" / ").Append(outcome.Case.Name).Append("\n\n");
        md.Append("- input: `").Append(outcome.InputPath).Append("`, want: `").Append(outcome.WantPath).Append("`\n");
        md.Append("- window: ").Append(CaseRequests.Describe(outcome.Case)).Append(Flags(outcome.Case)).Append('\n');
        md.Append("- reason: ").Append(outcome.Reason.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
        if (outcome.Differences.Count > 0)
        {
            md.Append("- differences (first ").Append(outcome.Differences.Count).Append(" of ").Append(outcome.DifferenceCount).Append("):\n");
            foreach (Difference difference in outcome.Differences)
            {
                md.Append("  - `").Append(difference.Path).Append("`: expected ").Append(Code(difference.Expected)).Append(", actual ").Append(Code(difference.Actual)).Append('\n');
            }
        }
    }

    private static string Flags(ConformanceCase c)
    {
        List<string> flags = [];
        if (c.WantErr)
        {
            flags.Add("wantErr");
        }

        if (c.WantEmpty)
        {
            flags.Add("wantEmpty");
        }

        if (c.DisOrder)
        {
            flags.Add("disOrder");
        }

        if (c.IgnoreElementId)
        {
            flags.Add("ignoreElementID");
        }

        return flags.Count == 0 ? string.Empty : $"; {string.Join(", ", flags)}";
    }

    private static IEnumerable<CaseOutcome> Ordered(IReadOnlyList<ConformanceSuite> suites, IReadOnlyDictionary<string, CaseOutcome> outcomes) =>
        suites.SelectMany(s => s.Cases).Select(c => outcomes.GetValueOrDefault(c.Key)).OfType<CaseOutcome>();

    // Inline code that survives backticks in the value.
    private static string Code(string text) => text.Contains('`', StringComparison.Ordinal) ? $"`` {text} ``" : $"`{text}`";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
