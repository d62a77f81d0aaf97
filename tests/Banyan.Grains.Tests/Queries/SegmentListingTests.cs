using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Hosting;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Queries;

/// <summary>
/// The query path keeps a group's segment listing for its lease (<c>SegmentListings</c>) instead of asking the group grain
/// on every query. Kept listings must never hide what a query would otherwise see: a write to a segment or shard the
/// listing does not hold is acknowledged only once the listing's lease is over, so the query after it reads the new rows
/// at once; a segment that expires while a listing is kept is hidden from that instant; the listing carries its lease.
/// </summary>
[Collection(FakeClockClusterDefinition.Name)]
public sealed class SegmentListingTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_write_to_a_new_segment_acknowledged_after_a_query_is_in_the_next_query()
    {
        const string group = "listing-new-segment-g";
        DateTimeOffset hour = Hour(fixture.Clock.GetUtcNow());
        Metadata metadata = await CreateAsync(group);
        await WriteAsync(metadata, (hour.AddMinutes(10), "e1", 1));

        // The query keeps the listing (one segment); the next write registers the previous hour's segment.
        Assert.Equal([1], await TotalsAsync(group, hour.AddHours(-1), hour.AddMinutes(59)));
        await WriteAsync(metadata, (hour.AddMinutes(-30), "e2", 2));

        Assert.Equal([1, 2], await TotalsAsync(group, hour.AddHours(-1), hour.AddMinutes(59)));
    }

    [Fact]
    public async Task A_write_to_a_new_shard_of_a_listed_segment_is_in_the_next_query()
    {
        const string group = "listing-new-shard-g";
        DateTimeOffset hour = Hour(fixture.Clock.GetUtcNow());
        Metadata metadata = await CreateAsync(group);
        await WriteAsync(metadata, (hour.AddMinutes(10), "e1", 1));
        ImmutableArray<int> first = Assert.Single(await Listed(group)).Shards;

        // Entities until one lands in the other shard of the same segment; each is read by the very next query.
        long total = 1;
        List<long> expected = [1];
        for (int e = 2; e < 64 && (await Listed(group)).Single().Shards.Length == first.Length; e++)
        {
            Assert.Equal(expected, await TotalsAsync(group, hour, hour.AddMinutes(59)));
            await WriteAsync(metadata, (hour.AddMinutes(11), "e" + e, ++total));
            expected.Add(total);
            Assert.Equal(expected, await TotalsAsync(group, hour, hour.AddMinutes(59)));
        }

        Assert.Equal(2, (await Listed(group)).Single().Shards.Length);
    }

    [Fact]
    public async Task A_group_grain_activated_again_does_not_acknowledge_before_the_old_leases_end()
    {
        // The leases are in the activation's memory: the next one knows of none, so the old one's deactivation waits
        // for them, or a registration right after it would be acknowledged while the kept listing lacks it.
        const string group = "listing-reactivated-g";
        DateTimeOffset hour = Hour(fixture.Clock.GetUtcNow());
        Metadata metadata = await CreateAsync(group);
        await WriteAsync(metadata, (hour.AddMinutes(10), "e1", 1));
        Assert.Equal([1], await TotalsAsync(group, hour.AddHours(-1), hour.AddMinutes(59)));

        await fixture.Cluster.DeactivateAsync(fixture.Client.GetGrain<IGroupGrain>(group)).WaitAsync(s_bound);
        await WriteAsync(metadata, (hour.AddMinutes(-30), "e2", 2));

        Assert.Equal([1, 2], await TotalsAsync(group, hour.AddHours(-1), hour.AddMinutes(59)));
    }

    [Fact]
    public async Task A_segment_that_expires_while_the_listing_is_kept_is_hidden_at_once()
    {
        const string group = "listing-expiry-g";
        DateTimeOffset hour = Hour(fixture.Clock.GetUtcNow());
        Metadata metadata = await CreateAsync(group);
        await WriteAsync(metadata, (hour.AddMinutes(-30), "e1", 1), (hour.AddMinutes(10), "e2", 2));
        Assert.Equal([1, 2], await TotalsAsync(group, hour.AddHours(-1), hour.AddMinutes(59)));

        // TTL 2 hours: at hour + 2 the previous hour's segment (end = hour) expires; the listing is still within its lease.
        fixture.Clock.SetUtcNow(hour.AddHours(2));
        Assert.Equal([2], await TotalsAsync(group, hour.AddHours(-1), hour.AddMinutes(59)));
    }

    [Fact]
    public async Task A_listing_holds_the_registered_segments_and_the_lease()
    {
        const string group = "listing-shape-g";
        DateTimeOffset hour = Hour(fixture.Clock.GetUtcNow());
        Metadata metadata = await CreateAsync(group);
        await WriteAsync(metadata, (hour.AddMinutes(-30), "e1", 1), (hour.AddMinutes(10), "e1", 2));

        SegmentListing listing = await fixture.Client.GetGrain<IGroupGrain>(group).GetSegmentListing().WaitAsync(s_bound);

        Assert.Equal([hour.AddHours(-1), hour], listing.Segments.Select(s => s.Start));
        Assert.All(listing.Segments, s => Assert.NotEmpty(s.Shards));
        Assert.Equal(new SegmentOptions().ListingLease, listing.Lease);
        Assert.NotEqual(0, listing.GroupRevision);
    }

    private async Task<ImmutableArray<SegmentInfo>> Listed(string group) =>
        await fixture.Client.GetGrain<IGroupGrain>(group).GetSegments(long.MinValue, long.MaxValue).WaitAsync(s_bound);

    private Task<Metadata> CreateAsync(string group) => HourlyCpm.CreateAsync(fixture.Client, group);

    private Task WriteAsync(Metadata metadata, params (DateTimeOffset Time, string Entity, long Total)[] points) => HourlyCpm.WriteAsync(fixture.Client, metadata, points);

    // The totals of every point in [begin, end], ascending, through the measure query path (which keeps the listing).
    private Task<List<long>> TotalsAsync(string group, DateTimeOffset begin, DateTimeOffset end) => HourlyCpm.TotalsAsync(fixture.Client, group, begin, end);

    private static DateTimeOffset Hour(DateTimeOffset now) => HourlyCpm.Hour(now);
}
