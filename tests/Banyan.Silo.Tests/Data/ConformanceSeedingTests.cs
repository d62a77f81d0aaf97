using Banyan.Conformance;
using Banyan.Conformance.Fixtures;
using Banyan.Conformance.Seeding;
using Banyan.Conformance.Targets;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// Every stream and measure write of BanyanDB's conformance fixtures (<c>seed.json</c>, every mode) goes through the
/// silo's gRPC <c>Write</c> streams and is answered as upstream answers it: one response per request, each
/// <c>STATUS_SUCCEED</c> (the expired steps too: accepted, not stored). The seeder's own check
/// (<see cref="WriteResponseCheck"/>) fails the test otherwise, naming the data file entry and the status.
/// </summary>
public sealed class ConformanceSeedingTests
{
    [Fact]
    public async Task Seeding_all_stream_and_measure_data_succeeds_with_upstream_statuses()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        string root = ConformanceRoot.Path;
        SeedPlan plan = SeedPlan.Load(root);
        ConformanceSeeder seeder = new(new GrpcTarget(host.Channel), root, plan, new ConformanceOptions(), TimeProvider.System);
        using CancellationTokenSource bound = new(TimeSpan.FromMinutes(5));

        SeedResult result = await seeder.SeedAsync(new HashSet<string>(StringComparer.Ordinal) { "stream", "measure" }, bound.Token);

        Assert.Equal(plan.Steps.Count(s => s.Catalog is "stream" or "measure"), result.StepsWritten);
        Assert.True(result.RequestsWritten > 0);
        Assert.NotEmpty(result.StreamElements);

        // The stored rows are there to read: stream default/sw holds sw.json once (the step 6 days back is beyond the
        // group's 3-day TTL: answered STATUS_SUCCEED, never stored).
        int entries = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "test/cases/stream/data/testdata/sw.json"))).RootElement.GetArrayLength();
        List<StoredRow> sw = await StoredRows.ReadAsync(host.Grains(), "default", "sw");
        Assert.Equal(entries, sw.Count);
        long baseNanos = result.BaseTime.EpochMillis * 1_000_000;
        Assert.All(sw, r => Assert.InRange(r.Timestamp, baseNanos, baseNanos + (entries * 500 * 1_000_000L)));
    }
}
