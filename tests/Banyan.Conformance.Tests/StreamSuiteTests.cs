using Xunit.Abstractions;

namespace Banyan.Conformance.Tests;

/// <summary>BanyanDB's stream suite (<c>cases.json</c> → <c>stream</c>), one test per target and case.</summary>
[Collection(ConformanceSuitesDefinition.Name)]
public sealed class StreamSuiteTests(ConformanceRun run, ITestOutputHelper output) : SuiteTestBase(run, output)
{
    public static TheoryData<string, string> Cases() => Rows("stream");

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public Task Case(string target, string name) => RunCaseAsync(target, "stream", name);
}
