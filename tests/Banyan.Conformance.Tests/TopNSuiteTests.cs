using Xunit.Abstractions;

namespace Banyan.Conformance.Tests;

/// <summary>BanyanDB's topn suite (<c>cases.json</c> → <c>topn</c>), one test per target and case.</summary>
[Collection(ConformanceSuitesDefinition.Name)]
public sealed class TopNSuiteTests(ConformanceRun run, ITestOutputHelper output) : SuiteTestBase(run, output)
{
    public static TheoryData<string, string> Cases() => Rows("topn");

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public Task Case(string target, string name) => RunCaseAsync(target, "topn", name);
}
