using Banyan.Conformance.Running;
using Xunit.Abstractions;

namespace Banyan.Conformance.Tests;

/// <summary>
/// Runs one upstream case as one test: Skipped while no target is wired or when the case is a listed known failure
/// (with the reason), passed when the response matches, failed with the difference report otherwise, and failed
/// when a listed known failure passes.
/// </summary>
public abstract class SuiteTestBase
{
    private readonly ConformanceRun _run;
    private readonly ITestOutputHelper _output;

    /// <summary>Creates the test class with the shared run.</summary>
    protected SuiteTestBase(ConformanceRun run, ITestOutputHelper output)
    {
        _run = run;
        _output = output;
    }

    /// <summary>One row per wired target and case of <paramref name="suite"/> (target <see cref="ConformanceTargets.None"/> while nothing is wired).</summary>
    protected static TheoryData<string, string> Rows(string suite)
    {
        TheoryData<string, string> rows = [];
        IEnumerable<string> targets = ConformanceTargets.All.Count == 0 ? [ConformanceTargets.None] : ConformanceTargets.All.Select(t => t.Name);
        foreach (string target in targets)
        {
            foreach (Cases.ConformanceCase conformanceCase in ConformanceFixtures.Default.Cases.Get(suite).Cases)
            {
                rows.Add(target, conformanceCase.Name);
            }
        }

        return rows;
    }

    /// <summary>Runs <paramref name="caseName"/> of <paramref name="suite"/> on <paramref name="target"/> and reports it.</summary>
    protected async Task RunCaseAsync(string target, string suite, string caseName)
    {
        Skip.If(target == ConformanceTargets.None, ConformanceTargets.NotWiredReason);
        CaseOutcome outcome = await _run.RunAsync(target, suite, caseName);
        _output.WriteLine(outcome.Describe());
        switch (outcome.Status)
        {
            case CaseStatus.Passed:
                return;
            case CaseStatus.KnownFailure:
                Skip.If(true, $"known failure: {outcome.Reason}");
                return;
            default:
                Assert.Fail(outcome.Describe());
                return;
        }
    }
}
