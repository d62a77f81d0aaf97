namespace Banyan.Conformance.Running;

/// <summary>How a case ended.</summary>
public enum CaseStatus
{
    /// <summary>The response matched (and kept matching through the stability window).</summary>
    Passed,

    /// <summary>The case did not pass within the time bound, or passed and then regressed.</summary>
    Failed,

    /// <summary>The case failed and is listed in <c>known-failures.json</c>.</summary>
    KnownFailure,

    /// <summary>The case is listed as a known failure but passed: the list must be updated.</summary>
    UnexpectedPass,

    /// <summary>The case could not run (seeding failed or no target).</summary>
    NotRun,
}
