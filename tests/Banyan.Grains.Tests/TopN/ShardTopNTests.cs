using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Schema;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Grains.TopN;
using Banyan.Grains.Writes;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using MeasureV1 = Banyan.Api.Measure.V1;
using Shard = Banyan.Storage.Shards.Shard;

namespace Banyan.Grains.Tests.TopN;

/// <summary>
/// Ranked lists through a real shard: written by the write path's planner, persisted as <c>_top_n_result</c> rows (format
/// 2, no series ids), read back by a new <see cref="ShardTopN"/> as after a restart, whose window continues from them:
/// the derived series ids must equal those the write path gives the source rows, or a series would be listed twice.
/// </summary>
/// <remarks>
/// Each test runs as the shard grain's turns (<see cref="GrainTurns"/>): <see cref="ShardTopN"/> is single-threaded, and
/// under xunit's own context a window's seeding continued on another thread while the test fed the next batch (a
/// retiring processor could drop a window whose seed was half applied, and its list with it).
/// </remarks>
public sealed class ShardTopNTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 30, TimeSpan.Zero);
    private static readonly DateTimeOffset s_window = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public Task A_window_continues_after_a_restart_from_lists_stored_without_series_ids() => GrainTurns.RunAsync(() => ContinueAfterARestartAsync());

    private async Task ContinueAfterARestartAsync()
    {
        // An entity of a string and an integer tag: both kinds go into the series key.
        Measure measure = WriteSchemas.Measure("g");
        measure.Entity.TagNames.Add("code");
        TopNAggregation aggregation = new()
        {
            Metadata = new Metadata { Group = "g", Name = "top" },
            SourceMeasure = new Metadata { Group = "g", Name = "cpm" },
            FieldName = "total",
            FieldValueSort = Banyan.Api.Model.V1.Sort.Desc,
            CountersNumber = 100,
        };
        SchemaCatalog catalog = SchemaCatalog.Create(1, new IMessage[] { WriteSchemas.Group("g", Catalog.Measure), measure, aggregation });
        SubjectLayout layout = SubjectLayout.ForMeasure("g", measure, null);
        long min = s_window.ToUnixTimeMilliseconds() * 1_000_000;
        TopNShardQuery query = new("g", "top", true, null, min, min, 50, ["entity_id", "code"]);
        ulong[] written;

        using (Shard shard = Shard.Open(_data.Path, Options()))
        {
            ShardTopN topN = new("g", NullLogger.Instance);
            WriteBatch batch = Batch(layout, [.. Enumerable.Range(0, 20).Select(i => WriteSchemas.Point(null, (ulong)i + 1, s_window.AddSeconds(i), "e" + i, i * 10))]);
            written = batch.SeriesIds.ToArray();
            shard.Write(batch);
            topN.Observe(shard, catalog, "cpm", batch);
            await topN.CloseAsync(shard);
        }

        using (Shard shard = Shard.Open(_data.Path, Options()))
        {
            // What is stored: one list of format 2 (no ids), its items' ids derived from the source measure's name: the
            // write path's ids.
            TopNStoredList stored = Assert.Single(TopNResultStore.Read(shard, min, min, (_, _, _, _) => true));
            Assert.Equal(TopNResultCodec.Version, stored.Bytes[0]);
            Assert.Equal(written.Reverse(), stored.Decode("cpm").Items.Select(i => i.SeriesId));

            // A new activation: e19, the best, drops to 1 in the same window; it replaces its persisted entry.
            ShardTopN topN = new("g", NullLogger.Instance);
            topN.Observe(shard, catalog, "cpm", Batch(layout, [WriteSchemas.Point(null, 100, s_window.AddSeconds(40), "e19", 1)]));
            MeasureV1.TopNList answer = await topN.QueryAsync(shard, query);
            Assert.Equal(20, answer.Items.Count);
            Assert.Equal("e18", answer.Items[0].Entity.Single(t => t.Key == "entity_id").Value.Str.Value);
            MeasureV1.TopNList.Types.Item e19 = answer.Items[^2]; // above e0 (0)
            Assert.Equal(("e19", 200L, 1L), (e19.Entity[0].Value.Str.Value, e19.Entity[1].Value.Int.Value, e19.Value.Int.Value));
            await topN.CloseAsync(shard);
        }
    }

    [Fact]
    public Task Windows_after_every_stored_list_start_without_a_read_and_earlier_ones_continue() => GrainTurns.RunAsync(() => StartOrContinueWindowsAsync());

    private async Task StartOrContinueWindowsAsync()
    {
        (SchemaCatalog catalog, SubjectLayout layout) = Schemas(aggregationRevision: 1);
        DateTimeOffset second = s_window.AddMinutes(1);
        DateTimeOffset third = s_window.AddMinutes(2);
        using (Shard shard = Shard.Open(_data.Path, IndexedOptions()))
        {
            // A fresh shard: nothing is stored, so neither window reads.
            ShardTopN topN = new("g", NullLogger.Instance);
            topN.Observe(shard, catalog, "cpm", Batch(layout, [WriteSchemas.Point(null, 1, s_window.AddSeconds(1), "a", 10), WriteSchemas.Point(null, 2, s_window.AddSeconds(2), "b", 20)]));
            topN.Observe(shard, catalog, "cpm", Batch(layout, [WriteSchemas.Point(null, 3, second.AddSeconds(1), "a", 30)]));
            await topN.CloseAsync(shard);
            Assert.Equal(0, topN.WindowsRead);
            Assert.Equal(second.ToUnixTimeMilliseconds() * 1_000_000, TopNResultStore.LatestWindowStart(shard));
        }

        using (Shard shard = Shard.Open(_data.Path, IndexedOptions()))
        {
            // A new activation: the third window is after everything stored and starts empty without a read; the second
            // one is stored, read, and continued.
            ShardTopN topN = new("g", NullLogger.Instance);
            topN.Observe(shard, catalog, "cpm", Batch(layout, [WriteSchemas.Point(null, 4, third.AddSeconds(1), "c", 5)]));
            Assert.Equal(["c"], Entities(await topN.QueryAsync(shard, Query(third))));
            Assert.Equal(0, topN.WindowsRead);

            topN.Observe(shard, catalog, "cpm", Batch(layout, [WriteSchemas.Point(null, 5, second.AddSeconds(2), "b", 40)]));
            Assert.Equal(["b", "a"], Entities(await topN.QueryAsync(shard, Query(second))));
            Assert.Equal(1, topN.WindowsRead);
            await topN.CloseAsync(shard);
        }
    }

    [Theory]
    [InlineData(true)] // the retired processor's list is stored when the new one opens the window
    [InlineData(false)] // ... or only in memory: what it counted since its last flush must not be lost
    public Task A_new_revision_of_an_aggregation_continues_the_lists_of_the_retired_one(bool flushedBetween) => GrainTurns.RunAsync(() => ContinueARetiredRevisionAsync(flushedBetween));

    private async Task ContinueARetiredRevisionAsync(bool flushedBetween)
    {
        (SchemaCatalog first, SubjectLayout layout) = Schemas(aggregationRevision: 1);
        (SchemaCatalog changed, _) = Schemas(aggregationRevision: 2);
        using Shard shard = Shard.Open(_data.Path, IndexedOptions());
        ShardTopN topN = new("g", NullLogger.Instance);
        topN.Observe(shard, first, "cpm", Batch(layout, [WriteSchemas.Point(null, 1, s_window.AddSeconds(1), "a", 10)]));
        if (flushedBetween)
        {
            Assert.Equal(["a"], Entities(await topN.QueryAsync(shard, Query(s_window)))); // waits until the window is open
            await topN.FlushAsync(shard);
            Assert.Single(TopNResultStore.Read(shard, long.MinValue, long.MaxValue, (_, _, _, _) => true));
        }

        // The new revision's processor opens the same window: this activation opened it before, so it is read.
        topN.Observe(shard, changed, "cpm", Batch(layout, [WriteSchemas.Point(null, 2, s_window.AddSeconds(2), "b", 20)]));
        Assert.Equal(["b", "a"], Entities(await topN.QueryAsync(shard, Query(s_window))));
        Assert.Equal(1, topN.WindowsRead);

        // Everything flushed (the retired list first, then the new one with a newer version): the stored answer is the same.
        await topN.CloseAsync(shard);
        ShardTopN restarted = new("g", NullLogger.Instance);
        Assert.Equal(["b", "a"], Entities(await restarted.QueryAsync(shard, Query(s_window))));
    }

    [Fact]
    public Task Lists_read_through_the_cache_are_those_a_full_read_gives_at_their_latest_version() => GrainTurns.RunAsync(() => ReadThroughTheCacheAsync());

    private async Task ReadThroughTheCacheAsync()
    {
        (SchemaCatalog catalog, SubjectLayout layout) = Schemas(aggregationRevision: 1);
        using Shard shard = Shard.Open(_data.Path, IndexedOptions());
        ShardTopN topN = new("g", NullLogger.Instance);
        for (int w = 0; w < 3; w++)
        {
            DateTimeOffset window = s_window.AddMinutes(w);
            topN.Observe(shard, catalog, "cpm", Batch(layout, [WriteSchemas.Point(null, (ulong)(2 * w) + 1, window.AddSeconds(1), "a", 10 + w), WriteSchemas.Point(null, (ulong)(2 * w) + 2, window.AddSeconds(2), "b", 20 - w)]));
            Assert.Equal(["b", "a"], Entities(await topN.QueryAsync(shard, Query(window)))); // waits until the window is open
            await topN.FlushAsync(shard);
        }

        // Sealed: the series index knows the lists' series (buffered writes it does not know yet are read without the
        // cache, as before it).
        shard.Flush();
        TopNListCache cache = new(1 << 20);
        List<TopNStoredList> first = Read(cache);
        Assert.Equal(3, first.Count);
        Assert.Equal(Keys(Read(null)), Keys(first));
        Assert.Equal(3, cache.Count);

        // Read again: every list from the cache, the same objects.
        List<TopNStoredList> second = Read(cache);
        Assert.All(first.Zip(second), pair => Assert.Same(pair.First, pair.Second));

        // The middle window flushed again: its newer version is read (and kept), the other two come from the cache.
        topN.Observe(shard, catalog, "cpm", Batch(layout, [WriteSchemas.Point(null, 9, s_window.AddMinutes(1).AddSeconds(3), "c", 99)]));
        Assert.Equal(["c", "b", "a"], Entities(await topN.QueryAsync(shard, Query(s_window.AddMinutes(1)))));
        await topN.FlushAsync(shard);
        shard.Flush();
        List<TopNStoredList> third = Read(cache);
        Assert.Equal(Keys(Read(null)), Keys(third));
        Assert.True(third[1].Version > first[1].Version);
        Assert.Same(first[0], third[0]);
        Assert.Same(first[2], third[2]);

        // A cache smaller than the lists holds at most what fits, and the answer is the full read's all the same.
        TopNListCache small = new(first[0].Bytes.Length + first[1].Bytes.Length);
        Assert.Equal(Keys(Read(null)), Keys(Read(small)));
        Assert.Equal(Keys(Read(null)), Keys(Read(small)));
        Assert.InRange(small.Count, 1, 2);
        await topN.CloseAsync(shard);

        List<TopNStoredList> Read(TopNListCache? with) => TopNResultStore.Read(shard, long.MinValue, long.MaxValue, (_, _, _, _) => true, with);
        static (long Window, long Version, string Bytes)[] Keys(List<TopNStoredList> lists) => [.. lists.Select(l => (l.WindowStart, l.Version, Convert.ToHexString(l.Bytes)))];
    }

    [Fact]
    public void The_silo_list_cache_is_sized_by_its_setting_and_off_at_zero()
    {
        Banyan.Grains.Hosting.BanyanSiloOptions options = new();
        Assert.Equal(64L << 20, new ShardTopNListCache(Microsoft.Extensions.Options.Options.Create(options)).Cache!.CapacityBytes);
        options.TopN.ListCacheMegabytes = 0;
        Assert.Null(new ShardTopNListCache(Microsoft.Extensions.Options.Options.Create(options)).Cache);
    }

    [Fact]
    public void The_latest_stored_window_is_unknown_without_a_series_index_and_none_before_the_first_list()
    {
        using (Shard plain = Shard.Open(System.IO.Path.Combine(_data.Path, "plain"), Options()))
        {
            Assert.Equal(long.MaxValue, TopNResultStore.LatestWindowStart(plain));
        }

        using Shard indexed = Shard.Open(System.IO.Path.Combine(_data.Path, "indexed"), IndexedOptions());
        Assert.Equal(long.MinValue, TopNResultStore.LatestWindowStart(indexed));
    }

    private static (SchemaCatalog Catalog, SubjectLayout Layout) Schemas(long aggregationRevision)
    {
        Measure measure = WriteSchemas.Measure("g");
        measure.Entity.TagNames.Add("code");
        TopNAggregation aggregation = new()
        {
            Metadata = new Metadata { Group = "g", Name = "top", ModRevision = aggregationRevision },
            SourceMeasure = new Metadata { Group = "g", Name = "cpm" },
            FieldName = "total",
            FieldValueSort = Banyan.Api.Model.V1.Sort.Desc,
            CountersNumber = 10,
        };
        SchemaCatalog catalog = SchemaCatalog.Create(aggregationRevision, new IMessage[] { WriteSchemas.Group("g", Catalog.Measure), measure, aggregation });
        return (catalog, SubjectLayout.ForMeasure("g", measure, null));
    }

    private static TopNShardQuery Query(DateTimeOffset window)
    {
        long start = window.ToUnixTimeMilliseconds() * 1_000_000;
        return new TopNShardQuery("g", "top", true, null, start, start, 10, ["entity_id", "code"]);
    }

    private static string[] Entities(MeasureV1.TopNList list) =>
        [.. list.Items.Select(i => i.Entity.Single(t => t.Key == "entity_id").Value.Str.Value)];

    private static WriteBatch Batch(SubjectLayout layout, ImmutableArray<MeasureV1.WriteRequest> points)
    {
        GroupSettings settings = new(1, new Banyan.Storage.TimeSegments.IntervalRule(Banyan.Storage.TimeSegments.IntervalUnit.Day, 1), new Banyan.Storage.TimeSegments.IntervalRule(Banyan.Storage.TimeSegments.IntervalUnit.Day, 7), 1);
        WritePlan plan = MeasureWritePlanner.Plan(new MeasureWriteBatch(new Metadata { Group = "g", Name = "cpm" }, null, points), null, layout, settings, s_now, 1);
        Assert.Empty(plan.ToOutcome().Refusals);
        WriteBatch batch = Assert.Single(plan.SubBatches!.Batches).Batch;
        for (int i = 0; i < batch.Count; i++)
        {
            // The claim format 2 rests on: the write path's id is the hash of the measure's name and the entity values.
            Assert.Equal(SeriesKey.ComputeSeriesId("cpm", [Banyan.Storage.Values.TagValue.FromString(batch.Columns[batch.FindColumn("default", "entity_id")].GetString(i)!), Banyan.Storage.Values.TagValue.FromInt64(200)]), batch.SeriesIds[i]);
        }

        return batch;
    }

    private static ShardOptions Options() => new()
    {
        Kind = DataKind.Measure,
        PartWriter = PartWriterOptions.Default with { Fsync = false },
    };

    // As a shard grain opens a shard that keeps a series index of its subjects.
    private static ShardOptions IndexedOptions() => new()
    {
        Kind = DataKind.Measure,
        PartWriter = PartWriterOptions.Default with { Fsync = false },
        Subjects = [new Banyan.Storage.Shards.Indexing.ShardIndexConfig(DataKind.Measure, "cpm", ["entity_id", "code"], [])],
    };
}
