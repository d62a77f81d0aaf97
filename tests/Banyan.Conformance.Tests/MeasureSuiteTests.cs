using Xunit.Abstractions;

namespace Banyan.Conformance.Tests;

/// <summary>BanyanDB's measure suite (<c>cases.json</c> → <c>measure</c>), one test per target and case.</summary>
[Collection(ConformanceSuitesDefinition.Name)]
public sealed class MeasureSuiteTests(ConformanceRun run, ITestOutputHelper output) : SuiteTestBase(run, output)
{
    public static TheoryData<string, string> Cases() => Rows("measure");

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public Task Case(string target, string name) => RunCaseAsync(target, "measure", name);
}
