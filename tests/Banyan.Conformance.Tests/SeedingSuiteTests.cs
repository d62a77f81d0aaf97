using Xunit.Abstractions;

namespace Banyan.Conformance.Tests;

/// <summary>
/// Seeding on each target, as its own test: every schema of <c>seed.json</c>'s load order is created and every stream
/// and measure write step is answered one <c>STATUS_SUCCEED</c> per request (expired steps: that or
/// <c>STATUS_EXPIRED_SCHEMA</c>). A seeding failure also fails every case of the target; this test names it once. It
/// uses the same seeded session as the cases (no extra server).
/// </summary>
[Collection(ConformanceSuitesDefinition.Name)]
public sealed class SeedingSuiteTests(ConformanceRun run, ITestOutputHelper output)
{
    public static TheoryData<string> Targets()
    {
        TheoryData<string> rows = [];
        foreach (string target in ConformanceTargets.All.Count == 0 ? [ConformanceTargets.None] : ConformanceTargets.All.Select(t => t.Name))
        {
            rows.Add(target);
        }

        return rows;
    }

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public async Task Seeding_writes_every_schema_and_step(string target)
    {
        Skip.If(target == ConformanceTargets.None, ConformanceTargets.NotWiredReason);
        ConformanceSession session = await run.SessionAsync(target);

        Assert.True(session.SeedFailure is null, session.SeedFailure);
        Seeding.SeedResult seed = session.Seed!;
        output.WriteLine($"B = {seed.BaseTime}; {seed.SchemasCreated} schemas, {seed.StepsWritten} write steps, {seed.RequestsWritten} requests, {seed.StreamElements.Count} stream element ids");
        Assert.Equal(run.Fixtures.Seed.Steps.Count(s => s.Catalog is "stream" or "measure"), seed.StepsWritten);
    }
}
