using Banyan.Conformance.Cases;
using Banyan.Conformance.Comparison;

namespace Banyan.Conformance.Running;

/// <summary>The result of running one case against a target.</summary>
public sealed record CaseOutcome
{
    /// <summary>The case.</summary>
    public required ConformanceCase Case { get; init; }

    /// <summary>The input file, relative to the conformance root.</summary>
    public required string InputPath { get; init; }

    /// <summary>The want file, relative to the conformance root.</summary>
    public required string WantPath { get; init; }

    /// <summary>How the case ended.</summary>
    public required CaseStatus Status { get; init; }

    /// <summary>Why it did not pass (or, for known failures, the listed reason and what happened); empty when passed.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The first differences of the last failed attempt (empty when the failure was not a mismatch).</summary>
    public IReadOnlyList<Difference> Differences { get; init; } = [];

    /// <summary>The number of differences of the last failed attempt.</summary>
    public int DifferenceCount { get; init; }

    /// <summary>Query attempts made.</summary>
    public int Attempts { get; init; }

    /// <summary>Time spent on the case.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>A multi-line text for test output: status, reason, files and differences.</summary>
    public string Describe()
    {
        System.Text.StringBuilder text = new();
        text.Append(Case.Key).Append(": ").Append(Status);
        if (Reason.Length > 0)
        {
            text.Append(" - ").Append(Reason);
        }

        text.Append("\n  input: ").Append(InputPath).Append("\n  want:  ").Append(WantPath)
            .Append("\n  window: ").Append(CaseRequests.Describe(Case))
            .Append("\n  attempts: ").Append(Attempts).Append(" in ").Append(Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)).Append(" s");
        if (Differences.Count > 0)
        {
            text.Append("\n  differences (first ").Append(Differences.Count).Append(" of ").Append(DifferenceCount).Append("):");
            foreach (Difference difference in Differences)
            {
                text.Append("\n    ").Append(difference);
            }
        }

        return text.ToString();
    }
}
