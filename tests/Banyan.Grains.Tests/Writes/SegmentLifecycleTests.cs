using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Writes;

/// <summary>
/// The segment lifecycle on a fake data clock: segments registered by writes, the next one created once the current one
/// is 80 % consumed, expired data never stored, an expired segment invisible at once and its shards deleted (folders
/// gone) after the drop delay, queries answered while a drop is held; group deletion drops the group's data and a group
/// created again starts empty.
/// </summary>
[Collection(FakeClockClusterDefinition.Name)]
public sealed class SegmentLifecycleTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Segments_are_created_ahead_hidden_at_expiry_and_dropped_after_the_delay()
    {
        const string group = "life-g";
        DateTimeOffset now = fixture.Clock.GetUtcNow();
        DateTimeOffset hour = new(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        Metadata metadata = await CreateAsync(group);
        IGroupGrain groupGrain = fixture.Client.GetGrain<IGroupGrain>(group);

        // Data in the previous hour and the current one; data 3 hours back is beyond the 2-hour TTL.
        WriteOutcome outcome = await WriteAsync(metadata, hour.AddMinutes(-30), hour.AddMinutes(10), hour.AddHours(-3));
        Assert.All(outcome.Statuses, s => Assert.Equal(WriteStatus.Succeed, s));
        Assert.Equal(1, outcome.Expired);
        ImmutableArray<SegmentInfo> segments = await groupGrain.GetSegments(long.MinValue, long.MaxValue).WaitAsync(s_bound);
        Assert.Equal([hour.AddHours(-1).UtcTicks, hour.UtcTicks], segments.Select(s => s.Start.UtcTicks));
        Assert.All(segments, s => Assert.Equal(s.Start.AddHours(1), s.End));
        Assert.Equal(2, (await ReadAsync(group)).Count);

        // 80 % into the current hour the next segment is created ahead (no shard has data in it yet).
        fixture.Clock.Advance(TimeSpan.FromMinutes(47) - (now - hour));
        SegmentMaintenance early = await groupGrain.Maintain().WaitAsync(s_bound);
        Assert.Empty(early.Created);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        SegmentMaintenance ahead = await groupGrain.Maintain().WaitAsync(s_bound);
        Assert.Equal(hour.AddHours(1), Assert.Single(ahead.Created));
        segments = await groupGrain.GetSegments(SegmentInfo.UnixNanos(hour.AddHours(1)), long.MaxValue).WaitAsync(s_bound);
        Assert.Equal(hour.AddHours(1), Assert.Single(segments).Start);
        Assert.Empty(segments[0].Shards);

        // At hour + 2 the previous hour's segment (end = hour) is at now − TTL: invisible at once, still on disk.
        fixture.Clock.SetUtcNow(hour.AddHours(2));
        segments = await groupGrain.GetSegments(long.MinValue, long.MaxValue).WaitAsync(s_bound);
        Assert.DoesNotContain(segments, s => s.Start == hour.AddHours(-1));
        List<StoredRow> rows = await ReadAsync(group);
        Assert.Equal([Nanos(hour.AddMinutes(10))], rows.Select(r => r.Timestamp));
        Assert.Empty((await groupGrain.Maintain().WaitAsync(s_bound)).Dropped);
        Assert.NotEmpty(SegmentFolders(group, hour.AddHours(-1)));

        // A write into the expired segment is accepted and not stored; nothing recreates it.
        WriteOutcome late = await WriteAsync(metadata, hour.AddMinutes(-5));
        Assert.Equal(WriteStatus.Succeed, Assert.Single(late.Statuses));
        Assert.Equal(1, late.Expired);

        // After the drop delay (1 minute) its shards are deleted and the registry forgets it.
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        SegmentMaintenance dropped = await groupGrain.Maintain().WaitAsync(s_bound);
        Assert.Equal(hour.AddHours(-1), Assert.Single(dropped.Dropped));
        Assert.Empty(dropped.Pending);
        Assert.Empty(SegmentFolders(group, hour.AddHours(-1)));
        Assert.NotEmpty(SegmentFolders(group, hour));
        Assert.Equal([Nanos(hour.AddMinutes(10))], (await ReadAsync(group)).Select(r => r.Timestamp));

        // Nothing of the lifecycle went wrong where only the log would tell (a timer ticking on a dropped shard).
        Assert.DoesNotContain(RecordedWarnings.Entries, e => e.Contains(group, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deleting_a_group_drops_its_data_and_a_group_created_again_starts_empty()
    {
        const string group = "life-delete-g";
        DateTimeOffset now = fixture.Clock.GetUtcNow();
        now = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddMinutes(5); // one segment
        Metadata metadata = await CreateAsync(group);
        await WriteAsync(metadata, now.AddMinutes(-1), now.AddMinutes(-2));
        Assert.Equal(2, (await ReadAsync(group)).Count);
        DateTimeOffset segment = (await fixture.Client.GetGrain<IGroupGrain>(group).GetSegments(long.MinValue, long.MaxValue)).Single().Start;
        Assert.NotEmpty(SegmentFolders(group, segment));

        await fixture.Client.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey).DeleteGroup(group, dryRun: false).WaitAsync(s_bound);

        Assert.Empty(SegmentFolders(group, segment));
        Assert.Empty(await fixture.Client.GetGrain<IGroupGrain>(group).GetSegments(long.MinValue, long.MaxValue));

        Metadata again = await CreateAsync(group);
        WriteOutcome outcome = await WriteAsync(again, now.AddMinutes(-3));
        Assert.Equal(WriteStatus.Succeed, Assert.Single(outcome.Statuses));
        Assert.Equal([Nanos(now.AddMinutes(-3))], (await ReadAsync(group)).Select(r => r.Timestamp));
        Assert.DoesNotContain(RecordedWarnings.Entries, e => e.Contains(group, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_segments_are_answered_while_the_group_waits_for_a_shard_drop()
    {
        // A drop that does not return (its shard's silo does not answer) must not hold up the queries of the group: each
        // asks the group grain for its segments, which it answers while its lifecycle awaits the drop. (The owners of the
        // shards, which a silo's query path asks for once per group and then caches, still wait.)
        const string group = "life-held-drop-g";
        DateTimeOffset now = fixture.Clock.GetUtcNow();
        DateTimeOffset hour = new(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        Metadata metadata = await CreateAsync(group);
        IGroupGrain groupGrain = fixture.Client.GetGrain<IGroupGrain>(group);
        await WriteAsync(metadata, hour.AddMinutes(-30), hour.AddMinutes(10));

        // The previous hour's segment expires at hour + 2 (TTL 2 hours) and is dropped after the 1-minute delay.
        fixture.Clock.SetUtcNow(hour.AddHours(2).AddMinutes(2));
        Task<SegmentMaintenance> maintain;
        using (ShardDropGate.Gate gate = ShardDropGate.Close(group))
        {
            maintain = groupGrain.Maintain();
            await gate.DropHeld.WaitAsync(s_bound);
            ImmutableArray<SegmentInfo> segments = await groupGrain.GetSegments(long.MinValue, long.MaxValue).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal([hour], segments.Select(s => s.Start));
            Assert.False(maintain.IsCompleted, "the drop is still held");
        }

        Assert.Equal(hour.AddHours(-1), Assert.Single((await maintain.WaitAsync(s_bound)).Dropped));
        Assert.Empty(SegmentFolders(group, hour.AddHours(-1)));
    }

    private Task<Metadata> CreateAsync(string group) => HourlyCpm.CreateAsync(fixture.Client, group);

    private async Task<WriteOutcome> WriteAsync(Metadata metadata, params DateTimeOffset[] times)
    {
        ImmutableArray<MeasureV1.WriteRequest> requests = [.. times.Select((t, i) => WriteSchemas.Point(null, (ulong)(i + 1), t, "e" + i, i))];
        return await fixture.Client.GetGrain<IMeasureGrain>(SubjectKey.Of(metadata.Group, metadata.Name))
            .Write(new MeasureWriteBatch(metadata, null, requests)).WaitAsync(s_bound);
    }

    private Task<List<StoredRow>> ReadAsync(string group) => StoredRows.ReadAsync(fixture.Client, group, "cpm");

    // The segment's folders on every silo of the cluster.
    private List<string> SegmentFolders(string group, DateTimeOffset start)
    {
        string name = "seg-" + start.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);
        return [.. Directory.Exists(fixture.DataRoot)
            ? Directory.EnumerateDirectories(fixture.DataRoot).Select(silo => Path.Combine(silo, group, name)).Where(Directory.Exists)
            : []];
    }

    private static long Nanos(DateTimeOffset time) => time.ToUnixTimeMilliseconds() * 1_000_000;
}
