using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Tests.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards.Indexing;

/// <summary>
/// What the shard grain asks of a measure shard with a series index: the series of a subject selected by entity values
/// (<see cref="Shard.FindSeries"/>, writes not sealed yet included), and per-series summaries of a field from block
/// statistics (<see cref="Shard.SummarizeField"/>), checked against the rows written, across buffered writes, memory
/// parts, flushed and merged parts; series with a timestamp in two parts (rows that are versions of each other) read row
/// by row (newest version once), the others, also those whose parts overlap in time without sharing a timestamp, still
/// block by block from their headers.
/// </summary>
public sealed class ShardSeriesQueryTests : IDisposable
{
    private static readonly ShardIndexConfig s_cpu = new(DataKind.Measure, "cpu", ["region", "host"], []);

    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private Shard Open(TempDirectory dir, DecodedBlockCache? cache = null) => _leaks.Open(dir.Path, new ShardOptions
    {
        Kind = DataKind.Measure,
        Subjects = [s_cpu],
        PartWriter = PartWriterOptions.Default with { Fsync = false },
        SealRows = 1 << 20,
        BlockCache = cache,
    });

    private static ulong SeriesOf(string region, string host) => SeriesKey.ComputeSeriesId("cpu", [TagValue.FromString(region), TagValue.FromString(host)]);

    private sealed record Sample(ulong Series, long Time, long Value, double Ratio);

    // Rows of hosts h-0..h-(hosts-1) (region eu for even hosts, us for odd) at times [first, first + count), each with
    // an int field v and a float field f; v is null on every seventh time. Only the (host, time) keep accepts, if given.
    private static (WriteBatch Batch, List<Sample> Samples) Cpu(int hosts, long first, int count, long version = 1, long offset = 0, Func<int, long, bool>? keep = null)
    {
        WriteBatch batch = new(DataKind.Measure, "cpu");
        batch.AddColumn("default", "region", ColumnValueType.String);
        batch.AddColumn("default", "host", ColumnValueType.String);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        batch.AddColumn(null, "f", ColumnValueType.Float64);
        var samples = new List<Sample>();
        for (long t = first; t < first + count; t++)
        {
            for (int h = 0; h < hosts; h++)
            {
                if (keep is not null && !keep(h, t))
                {
                    continue;
                }

                string region = h % 2 == 0 ? "eu" : "us";
                string host = "h-" + h;
                ulong series = SeriesOf(region, host);
                long value = offset + ((t * 31) + (h * 1_000)) % 977 - 400;
                double ratio = (value * 0.25) + h;
                bool nullValue = t % 7 == 0;
                batch.AddRow(series, t, version, [ColumnValue.FromString(region), ColumnValue.FromString(host), nullValue ? ColumnValue.Null : ColumnValue.FromInt64(value), ColumnValue.FromFloat64(ratio)]);
                samples.Add(new Sample(series, t, nullValue ? long.MinValue : value, ratio));
            }
        }

        return (batch, samples);
    }

    // The samples with the newer ones in place of the older ones of the same key (a newer version wins).
    private static List<Sample> Newest(List<Sample> older, List<Sample> newer)
    {
        HashSet<(ulong, long)> replaced = [.. newer.Select(s => (s.Series, s.Time))];
        return [.. older.Where(s => !replaced.Contains((s.Series, s.Time))), .. newer];
    }

    private static void CheckSummaries(Shard shard, List<Sample> samples, ulong[] series, long min, long max, string where)
    {
        List<SeriesFieldSummary>? ints = shard.SummarizeField("cpu", series, min, max, "v");
        List<SeriesFieldSummary>? floats = shard.SummarizeField("cpu", series, min, max, "f");
        Assert.NotNull(ints);
        Assert.NotNull(floats);
        var expected = samples.Where(s => series.Contains(s.Series) && s.Time >= min && s.Time <= max).GroupBy(s => s.Series).OrderBy(g => g.Key).ToList();
        Assert.True(expected.Select(g => g.Key).SequenceEqual(ints.Select(s => s.SeriesId)), $"{where}: series with rows in [{min}, {max}]");
        for (int i = 0; i < expected.Count; i++)
        {
            List<Sample> rows = [.. expected[i]];
            List<long> values = [.. rows.Where(r => r.Value != long.MinValue).Select(r => r.Value)];
            FieldSummary v = ints[i].Summary;
            Assert.True(values.Count == v.Count, $"{where}: count of v, series {expected[i].Key:x16}: {values.Count} expected, {v.Count}");
            if (values.Count > 0)
            {
                Assert.Equal((values.Sum(), values.Min(), values.Max()), (v.Int64Sum, v.Int64Min, v.Int64Max));
            }

            FieldSummary f = floats[i].Summary;
            Assert.Equal((rows.Count, rows.Min(r => r.Ratio), rows.Max(r => r.Ratio)), ((int)f.Count, f.Float64Min, f.Float64Max));
            Assert.Equal(rows.Min(r => r.Time), ints[i].FirstTimestamp);
            Assert.Equal(rows.Max(r => r.Time), ints[i].LastTimestamp);
        }

        CheckFewerParts(shard, series, min, max, "v", ints, where);
        CheckFewerParts(shard, series, min, max, "f", floats, where);
    }

    // Summaries made for fewer parts (a COUNT, a SUM, a MIN or MAX request) agree with the whole ones on what was asked:
    // the series, counts and first and last timestamps always, the sums and the extremes when asked for.
    private static void CheckFewerParts(Shard shard, ulong[] series, long min, long max, string field, List<SeriesFieldSummary> whole, string where)
    {
        foreach (SummaryParts parts in new[] { SummaryParts.Count, SummaryParts.Sum, SummaryParts.MinMax })
        {
            List<SeriesFieldSummary>? fewer = shard.SummarizeField("cpu", series, min, max, field, null, parts);
            Assert.NotNull(fewer);
            Assert.True(
                whole.Select(s => (s.SeriesId, s.Summary.Count, s.FirstTimestamp, s.LastTimestamp)).SequenceEqual(fewer.Select(s => (s.SeriesId, s.Summary.Count, s.FirstTimestamp, s.LastTimestamp))),
                $"{where}: {field} summarized for {parts} in [{min}, {max}]: series, counts or first and last timestamps differ");
            if ((parts & SummaryParts.Sum) != 0)
            {
                Assert.Equal(whole.Select(s => (s.Summary.Int64Sum, s.Summary.Float64Sum)), fewer.Select(s => (s.Summary.Int64Sum, s.Summary.Float64Sum)));
            }

            if ((parts & SummaryParts.MinMax) != 0)
            {
                Assert.Equal(
                    whole.Select(s => (s.Summary.Int64Min, s.Summary.Int64Max, s.Summary.Float64Min, s.Summary.Float64Max)),
                    fewer.Select(s => (s.Summary.Int64Min, s.Summary.Int64Max, s.Summary.Float64Min, s.Summary.Float64Max)));
            }
        }
    }

    // Writes four rounds of 40 timestamps over 5 hosts, each flushed into its own part, checking the shard after each
    // write (buffered) and each flush; returns every sample written.
    private static List<Sample> WriteFourRounds(Shard shard, Action<Shard, List<Sample>, string> check)
    {
        var samples = new List<Sample>();
        for (int round = 0; round < 4; round++)
        {
            (WriteBatch batch, List<Sample> rows) = Cpu(hosts: 5, first: round * 40, count: 40);
            shard.Write(batch);
            samples.AddRange(rows);
            check(shard, samples, $"round {round}, buffered");
            shard.Flush();
            check(shard, samples, $"round {round}, flushed");
        }

        return samples;
    }

    private static void CheckAllRanges(Shard shard, List<Sample> samples, string where)
    {
        ulong[] all = [.. samples.Select(s => s.Series).Distinct().Order()];
        ulong[] some = [.. all.Where((_, i) => i % 2 == 1)];
        foreach ((long min, long max) in new (long, long)[] { (long.MinValue, long.MaxValue), (0, 999), (5, 17), (90, 90), (150, 160), (-10, -1) })
        {
            CheckSummaries(shard, samples, all, min, max, $"{where}, all series");
            CheckSummaries(shard, samples, some, min, max, $"{where}, every other series");
        }
    }

    [Fact]
    public void A_count_reads_no_block_whose_header_can_tell_and_reads_those_with_nulls()
    {
        using TempDirectory dir = new();
        Shard shard = Open(dir);
        (WriteBatch batch, _) = Cpu(hosts: 4, first: 0, count: 100);
        shard.Write(batch);
        shard.Flush();
        ulong[] all = [.. Enumerable.Range(0, 4).Select(h => SeriesOf(h % 2 == 0 ? "eu" : "us", "h-" + h)).Order()];

        // Rows 10..29 of each host's block of 100 evenly spaced timestamps: f has a value in every row, v none every
        // seventh, so only v's blocks must be read to count.
        List<SeriesFieldSummary> f = shard.SummarizeField("cpu", all, 10, 29, "f", null, SummaryParts.Count)!;
        List<SeriesFieldSummary> v = shard.SummarizeField("cpu", all, 10, 29, "v", null, SummaryParts.Count)!;
        Assert.All(f, s => Assert.Equal((20L, 0, 1, 10L, 29L), (s.Summary.Count, s.Summary.BlocksDecoded, s.Summary.BlocksFromStatistics, s.FirstTimestamp, s.LastTimestamp)));
        Assert.All(v, s => Assert.Equal((17L, 1, 10L, 29L), (s.Summary.Count, s.Summary.BlocksDecoded, s.FirstTimestamp, s.LastTimestamp))); // 14, 21 and 28 are null

        // A range that misses every row of the blocks' span: nothing counted, no series listed.
        Assert.Empty(shard.SummarizeField("cpu", all, 100, 200, "f", null, SummaryParts.Count)!);
    }

    [Fact]
    public void Summaries_from_block_statistics_equal_the_rows_in_every_state_of_the_shard()
    {
        using TempDirectory dir = new();
        Shard shard = Open(dir);
        List<Sample> samples = WriteFourRounds(shard, CheckAllRanges);

        shard.Merge(force: true);
        CheckAllRanges(shard, samples, "merged");

        // The merged part answers whole blocks from their headers.
        List<SeriesFieldSummary> merged = shard.SummarizeField("cpu", samples.Select(s => s.Series).Distinct().Order().ToArray(), 0, 1_000, "v")!;
        Assert.All(merged, s => Assert.True(s.Summary.BlocksFromStatistics > 0 && s.Summary.BlocksDecoded == 0, $"series {s.SeriesId:x16}: {s.Summary.BlocksFromStatistics} blocks from statistics, {s.Summary.BlocksDecoded} decoded"));
    }

    // Interval summaries against the rows: for each interval [min + k·width, min + (k + 1)·width − 1] (the last ending at
    // max), COUNT, SUM, MIN, MAX of v over the chosen series together, and COUNT, MIN, MAX of f.
    [Fact]
    public void Summaries_through_the_block_cache_equal_the_rows_and_a_merge_drops_the_merged_parts_blocks()
    {
        using TempDirectory dir = new();
        DecodedBlockCache cache = new(1 << 20);
        Shard shard = Open(dir, cache);
        List<Sample> samples = WriteFourRounds(shard, (s, rows, where) =>
        {
            // Twice each: the second pass reads the straddling blocks the first one cached.
            CheckAllRanges(s, rows, where);
            CheckAllIntervals(s, rows, where);
            CheckAllRanges(s, rows, where + ", again");
            CheckAllIntervals(s, rows, where + ", again");
        });
        Assert.True(cache.Misses > 0 && cache.Hits > cache.Misses, $"{cache.Hits} hits, {cache.Misses} misses");
        Assert.True(cache.Count > 0);

        // The four flushed parts are merged into one; they are kept for the fallback snapshot until the next install
        // (here a flush), which frees them, and their blocks leave the cache.
        shard.Merge(force: true);
        (WriteBatch more, List<Sample> moreRows) = Cpu(hosts: 5, first: 160, count: 10);
        shard.Write(more);
        shard.Flush();
        samples.AddRange(moreRows);
        Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
        CheckAllRanges(shard, samples, "merged");
        CheckAllIntervals(shard, samples, "merged");
        Assert.True(cache.Count > 0, "the merged and the new part's straddling blocks are cached");
        CheckAllRanges(shard, samples, "merged, again");
        CheckAllIntervals(shard, samples, "merged, again");
    }

    [Theory]
    [InlineData(4_000)] // two or three of these blocks (40 rows) at a time: entries are evicted all along
    [InlineData(100)] // smaller than any block: nothing is cached
    public void The_block_cache_stays_within_its_capacity_and_answers_stay_right(long capacity)
    {
        using TempDirectory dir = new();
        DecodedBlockCache cache = new(capacity);
        Shard shard = Open(dir, cache);
        WriteFourRounds(shard, (s, rows, where) =>
        {
            CheckAllRanges(s, rows, where);
            CheckAllIntervals(s, rows, where);
            Assert.InRange(cache.Bytes, 0, capacity);
        });
        Assert.True(cache.Misses > 0);
        if (capacity < 1_000)
        {
            Assert.Equal((0, 0L), (cache.Count, cache.Hits));
        }
        else
        {
            Assert.InRange(cache.Count, 1, 3);
        }
    }

    private static void CheckIntervals(Shard shard, List<Sample> samples, ulong[] series, long min, long max, long width, string where)
    {
        List<FieldSummary>? ints = shard.SummarizeFieldByInterval("cpu", series, min, max, "v", width);
        List<FieldSummary>? floats = shard.SummarizeFieldByInterval("cpu", series, min, max, "f", width);
        Assert.NotNull(ints);
        Assert.NotNull(floats);
        int intervals = (int)(((max - min) / width) + 1);
        Assert.True(ints.Count == intervals && floats.Count == intervals, $"{where}: {ints.Count} intervals, expected {intervals}");
        for (int k = 0; k < intervals; k++)
        {
            long from = min + (k * width);
            long to = k == intervals - 1 ? max : from + width - 1;
            List<Sample> rows = [.. samples.Where(s => series.Contains(s.Series) && s.Time >= from && s.Time <= to)];
            List<long> values = [.. rows.Where(r => r.Value != long.MinValue).Select(r => r.Value)];
            FieldSummary v = ints[k];
            string at = $"{where}, width {width}, interval {k} [{from}, {to}]";
            Assert.True(values.Count == v.Count, $"{at}: count of v {v.Count}, expected {values.Count}");
            if (values.Count > 0)
            {
                Assert.True((values.Sum(), values.Min(), values.Max()) == (v.Int64Sum, v.Int64Min, v.Int64Max), $"{at}: v is {v}, expected sum {values.Sum()} min {values.Min()} max {values.Max()}");
            }

            FieldSummary f = floats[k];
            Assert.True(rows.Count == f.Count, $"{at}: count of f {f.Count}, expected {rows.Count}");
            if (rows.Count > 0)
            {
                Assert.Equal((rows.Min(r => r.Ratio), rows.Max(r => r.Ratio)), (f.Float64Min, f.Float64Max));
            }
        }
    }

    private static void CheckAllIntervals(Shard shard, List<Sample> samples, string where)
    {
        ulong[] all = [.. samples.Select(s => s.Series).Distinct().Order()];
        ulong[] some = [.. all.Where((_, i) => i % 2 == 1)];
        foreach ((long min, long max) in new (long, long)[] { (0, 159), (5, 17), (90, 90), (-10, 200), (150, 170) })
        {
            foreach (long width in new long[] { 1, 7, 30, 40, 1_000 })
            {
                CheckIntervals(shard, samples, all, min, max, width, $"{where}, all series");
                CheckIntervals(shard, samples, some, min, max, width, $"{where}, every other series");
            }
        }
    }

    [Fact]
    public void Interval_summaries_equal_the_rows_and_read_headers_of_blocks_inside_one_interval()
    {
        using TempDirectory dir = new();
        Shard shard = Open(dir);
        List<Sample> samples = WriteFourRounds(shard, CheckAllIntervals);

        // Each flushed part holds one block per series over 40 timestamps: intervals of 40 aligned with them read
        // only headers; intervals of 30 cut most blocks, which are decoded once each, not once per interval.
        ulong[] series = [.. samples.Select(s => s.Series).Distinct().Order()];
        List<FieldSummary> aligned = shard.SummarizeFieldByInterval("cpu", series, 0, 159, "v", 40)!;
        Assert.Equal((20, 0), (aligned.Sum(s => s.BlocksFromStatistics), aligned.Sum(s => s.BlocksDecoded)));
        List<FieldSummary> cut = shard.SummarizeFieldByInterval("cpu", series, 0, 159, "v", 30)!;
        Assert.Equal(20, cut.Sum(s => s.BlocksFromStatistics + s.BlocksDecoded));

        shard.Merge(force: true);
        CheckAllIntervals(shard, samples, "merged");
    }

    [Fact]
    public void Interval_summaries_read_overlapping_series_row_by_row_and_check_their_arguments()
    {
        using TempDirectory dir = new();
        Shard shard = Open(dir);
        (WriteBatch first, _) = Cpu(hosts: 2, first: 0, count: 20, version: 1);
        shard.Write(first);
        shard.Flush();
        (WriteBatch second, List<Sample> newer) = Cpu(hosts: 2, first: 10, count: 20, version: 2, offset: 5);
        shard.Write(second);
        shard.Flush();
        ulong[] series = [.. newer.Select(s => s.Series).Distinct().Order()];
        List<Sample> newest = [.. Cpu(hosts: 2, first: 0, count: 10).Samples, .. newer];
        foreach (long width in new long[] { 1, 7, 10, 1_000 })
        {
            CheckIntervals(shard, newest, series, 0, 100, width, "versions in two parts");
        }

        CheckIntervals(shard, newest, series, 0, 9, 5, "only the older part in the range");
        Assert.Empty(shard.SummarizeFieldByInterval("cpu", series, 10, 9, "v", 5)!);
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.SummarizeFieldByInterval("cpu", series, 0, 9, "v", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.SummarizeFieldByInterval("cpu", series, long.MinValue, long.MaxValue, "v", 1_000));

        // The whole of long's range in intervals of long.MaxValue: [min, −2], [−1, max − 2], [max − 1, max].
        shard.Merge(force: true);
        List<FieldSummary> whole = shard.SummarizeFieldByInterval("cpu", series, long.MinValue, long.MaxValue, "v", long.MaxValue)!;
        Assert.Equal((3, 0L, newest.LongCount(s => s.Value != long.MinValue), 0L), (whole.Count, whole[0].Count, whole[1].Count, whole[2].Count));
    }

    [Fact]
    public void Series_whose_parts_hold_versions_of_each_other_are_read_row_by_row_and_the_others_from_headers()
    {
        using TempDirectory dir = new();
        Shard shard = Open(dir);
        (WriteBatch first, List<Sample> older) = Cpu(hosts: 4, first: 0, count: 20, version: 1);
        shard.Write(first);
        shard.Flush();

        // The same keys of hosts 0 and 1 again with a newer version and other values: the shard answers the newer rows,
        // so adding up both parts' statistics would count those keys twice. Hosts 2 and 3 go on in time in the newer
        // part, their blocks apart from the older part's.
        (WriteBatch second, List<Sample> newer) = Cpu(hosts: 4, first: 10, count: 20, version: 2, offset: 5, keep: (h, t) => h < 2 || t >= 20);
        shard.Write(second);
        shard.Flush();
        List<Sample> newest = Newest(older, newer);
        ulong[] series = [.. newest.Select(s => s.Series).Distinct().Order()];
        CheckSummaries(shard, newest, series, 0, 100, "versions in two parts");
        CheckSummaries(shard, newest, series, 12, 25, "versions in two parts, blocks straddling the range");
        CheckSummaries(shard, newest, series, 0, 9, "only the older part in the range");
        CheckSummaries(shard, newest, [series[1], series[3]], 0, 100, "versions in two parts, some series");

        // Only the two series with versions were read row by row; the others' four blocks answered from their headers.
        ulong[] rewritten = [SeriesOf("eu", "h-0"), SeriesOf("us", "h-1")];
        List<SeriesFieldSummary> summaries = shard.SummarizeField("cpu", series, 0, 100, "v")!;
        Assert.All(summaries, s => Assert.Equal(
            rewritten.Contains(s.SeriesId) ? (0, 2) : (2, 0),
            (s.Summary.BlocksFromStatistics, s.Summary.BlocksDecoded)));

        // A list given to fill is cleared first and holds the same answer (the grains' grouper reuses one per thread);
        // it is the answer itself when no series was read row by row.
        List<SeriesFieldSummary> reused = [new SeriesFieldSummary(42, default, 1, 2)];
        List<SeriesFieldSummary> filled = shard.SummarizeField("cpu", series, 0, 100, "v", reused)!;
        Assert.Equal(summaries, filled);
        ulong[] fromHeaders = [.. series.Where(id => !rewritten.Contains(id))];
        List<SeriesFieldSummary> apart = shard.SummarizeField("cpu", fromHeaders, 0, 100, "v", reused)!;
        Assert.Same(reused, apart);
        Assert.Equal(shard.SummarizeField("cpu", fromHeaders, 0, 100, "v")!, apart);

        shard.Merge(force: true);
        CheckSummaries(shard, newest, series, 0, 100, "after the merge deduplicated the versions");
    }

    // Rows of 6 hosts over 120 timestamps, in windows of 9 dealt round four parts by (host + window) % 4: two disk
    // parts, a memory part and buffered writes (read through a transient part), oldest first. Every part holds every
    // series, a series' windows alternate between the parts (newer parts hold earlier times of it than older ones), and
    // a window is three blocks of 3 rows, in chunks of a few headers: the shard merges the parts' blocks, which
    // interleave by series and by time, into one order. (Blocks are cut by row count, not at gaps in time: with windows
    // that are not a multiple of 3 rows, a part's block would reach into its next window, across another part's rows,
    // and those series' timestamps would be compared.) Then newer versions of keys inside a disk part's and the memory part's
    // blocks make parts overlap: those series are read row by row, their newest versions counted once.
    [Theory]
    [InlineData(2u)]
    [InlineData(1u)]
    public async Task Summaries_of_parts_whose_blocks_interleave_by_series_and_time_equal_the_rows(uint formatVersion)
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, new ShardOptions
        {
            Kind = DataKind.Measure,
            Subjects = [s_cpu],
            PartWriter = PartWriterOptions.Default with { Fsync = false, MaxMeasureRowsPerBlock = 3, PrimaryChunkBytes = 200, FormatVersion = formatVersion },
            SealRows = 1 << 20,
        });
        var samples = new List<Sample>();
        for (int part = 0; part < 4; part++)
        {
            (WriteBatch batch, List<Sample> rows) = Cpu(hosts: 6, first: 0, count: 120, keep: (h, t) => (h + (t / 9)) % 4 == part);
            shard.Write(batch);
            samples.AddRange(rows);
            if (part < 2)
            {
                shard.Flush();
            }
            else if (part == 2)
            {
                await shard.SealAsync();
            }
        }

        using (ShardReadView view = shard.AcquireView())
        {
            Assert.Equal((2, 1, 1), (view.DiskPartCount, view.MemoryPartCount, view.BufferedWrites));
        }

        CheckAllRanges(shard, samples, "interleaved parts");
        CheckAllIntervals(shard, samples, "interleaved parts");

        // h-1's window [27, 35] is in the first disk part (1 + 3 ≡ 0 mod 4): newer versions of its block [30, 32] are a
        // block of the buffered writes that starts where the disk part's does. (Three rows, a whole block, so that the
        // buffered writes' other blocks keep to their windows.)
        ulong[] all = [.. samples.Select(s => s.Series).Distinct().Order()];
        (WriteBatch firstVersions, List<Sample> firstNewer) = Cpu(hosts: 6, first: 30, count: 3, version: 2, offset: 5, keep: (h, _) => h == 1);
        shard.Write(firstVersions);
        List<Sample> newest = Newest(samples, firstNewer);
        CheckSummaries(shard, newest, all, 0, 119, "interleaved parts, versions in the buffered writes");
        CheckIntervals(shard, newest, all, 0, 119, 10, "interleaved parts, versions in the buffered writes");
        ulong rewritten = SeriesOf("us", "h-1");
        Assert.All(shard.SummarizeField("cpu", all, 0, 119, "v")!, s => Assert.True(
            (s.SeriesId == rewritten) == (s.Summary.BlocksFromStatistics == 0),
            $"series {s.SeriesId:x16}: {s.Summary.BlocksFromStatistics} blocks from statistics, {s.Summary.BlocksDecoded} decoded"));
        CheckSummaries(shard, newest, all, 45, 119, "interleaved parts, overlap left out of the range");
        CheckIntervals(shard, newest, all, 45, 119, 10, "interleaved parts, overlap left out of the range");

        // h-4's window [54, 62] is in the memory part (4 + 6 ≡ 2): newer versions at [59, 61] in the buffered writes
        // overlap its blocks [57, 59] and [60, 62] without starting where either does.
        (WriteBatch secondVersions, List<Sample> secondNewer) = Cpu(hosts: 6, first: 59, count: 3, version: 2, offset: 5, keep: (h, _) => h == 4);
        shard.Write(secondVersions);
        newest = Newest(newest, secondNewer);
        CheckSummaries(shard, newest, all, 61, 61, "interleaved parts, second versions");
        CheckSummaries(shard, newest, all, 0, 119, "interleaved parts, second versions");
        CheckIntervals(shard, newest, all, 50, 70, 5, "interleaved parts, second versions");
        CheckSummaries(shard, newest, all, 72, 119, "interleaved parts, both overlaps left out of the range");
    }

    // Rows at the given (host, time)s with only the float field f (hosts and regions as in Cpu): blocks without the field v.
    private static (WriteBatch Batch, List<Sample> Samples) FloatsOnly((int Host, long Time)[] rows, long version)
    {
        WriteBatch batch = new(DataKind.Measure, "cpu");
        batch.AddColumn("default", "region", ColumnValueType.String);
        batch.AddColumn("default", "host", ColumnValueType.String);
        batch.AddColumn(null, "f", ColumnValueType.Float64);
        var samples = new List<Sample>();
        foreach ((int h, long t) in rows)
        {
            string region = h % 2 == 0 ? "eu" : "us";
            string host = "h-" + h;
            ulong series = SeriesOf(region, host);
            double ratio = (t * 0.5) - h;
            batch.AddRow(series, t, version, [ColumnValue.FromString(region), ColumnValue.FromString(host), ColumnValue.FromFloat64(ratio)]);
            samples.Add(new Sample(series, t, long.MinValue, ratio));
        }

        return (batch, samples);
    }

    // Writes the batch and checks the shard with it buffered, sealed into a memory part and flushed into its own part.
    private static async Task WriteSealFlush(Shard shard, WriteBatch batch, List<Sample> newest, ulong[] series, string what)
    {
        shard.Write(batch);
        CheckOverlapping(shard, newest, series, $"{what} buffered");
        await shard.SealAsync();
        CheckOverlapping(shard, newest, series, $"{what} in a memory part");
        shard.Flush();
        CheckOverlapping(shard, newest, series, $"{what} flushed");
    }

    private static void CheckOverlapping(Shard shard, List<Sample> newest, ulong[] series, string where)
    {
        foreach ((long min, long max) in new (long, long)[] { (0, 100), (20, 100), (0, 27), (11, 28), (24, 24), (25, 25), (28, 28), (0, 19), (39, 50) })
        {
            CheckSummaries(shard, newest, series, min, max, where);
        }

        foreach ((long min, long max, long width) in new (long, long, long)[] { (0, 99, 50), (0, 59, 1), (0, 59, 7), (5, 45, 10), (20, 29, 3) })
        {
            CheckIntervals(shard, newest, series, min, max, width, where);
        }
    }

    // Six hosts, even times [0, 40) in two flushed parts ([0, 20) and [20, 40)), then a part C over [10, 30) and a part
    // D without the field v. Every host's C overlaps the older parts in time; which keys it shares with them decides
    // whether the host is read row by row (newest version once) or block by block:
    //   h-0, h-1: C odd times only: no key shared.
    //   h-2: C odd times and 28: one key shared, with the second part.
    //   h-3: C every time: keys shared with both.
    //   h-4: C odd times, and D (v absent) at 25, a newer version of C's 25 without v: shared only through D's block.
    //   h-5: C odd times below 20, D (v absent) odd times above: no key shared; D's rows still count as first and last.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Series_whose_parts_overlap_in_time_without_a_shared_timestamp_are_summarized_block_by_block(bool withCache)
    {
        using TempDirectory dir = new();
        DecodedBlockCache? cache = withCache ? new DecodedBlockCache(1 << 20) : null;
        Shard shard = Open(dir, cache);
        (WriteBatch a, List<Sample> older) = Cpu(hosts: 6, first: 0, count: 20, keep: (_, t) => t % 2 == 0);
        shard.Write(a);
        shard.Flush();
        (WriteBatch b, List<Sample> later) = Cpu(hosts: 6, first: 20, count: 20, keep: (_, t) => t % 2 == 0);
        shard.Write(b);
        shard.Flush();
        List<Sample> newest = [.. older, .. later];
        ulong[] series = [.. newest.Select(s => s.Series).Distinct().Order()];

        (WriteBatch c, List<Sample> cRows) = Cpu(hosts: 6, first: 10, count: 20, version: 2, offset: 5, keep: (h, t) => h switch
        {
            2 => t % 2 == 1 || t == 28,
            3 => true,
            5 => t < 20 && t % 2 == 1,
            _ => t % 2 == 1,
        });
        newest = Newest(newest, cRows);
        await WriteSealFlush(shard, c, newest, series, "C");

        (WriteBatch d, List<Sample> dRows) = FloatsOnly([(4, 25), (5, 21), (5, 23), (5, 25), (5, 27), (5, 29)], version: 3);
        newest = Newest(newest, dRows);
        await WriteSealFlush(shard, d, newest, series, "C and D");
        using (ShardReadView view = shard.AcquireView())
        {
            Assert.Equal(4, view.DiskPartCount);
        }

        // Over [0, 100] every block is inside: the hosts without shared keys answer all their blocks with v from
        // headers (D's blocks have no v); the others are read row by row, every block counted decoded.
        ulong[] apart = [.. new[] { SeriesOf("eu", "h-0"), SeriesOf("us", "h-1"), SeriesOf("us", "h-5") }.Order()];
        Dictionary<ulong, (int, int)> expected = new()
        {
            [SeriesOf("eu", "h-0")] = (3, 0),
            [SeriesOf("us", "h-1")] = (3, 0),
            [SeriesOf("eu", "h-2")] = (0, 3),
            [SeriesOf("us", "h-3")] = (0, 3),
            [SeriesOf("eu", "h-4")] = (0, 4),
            [SeriesOf("us", "h-5")] = (3, 0),
        };
        for (int pass = 0; pass < 2; pass++)
        {
            List<SeriesFieldSummary> all = shard.SummarizeField("cpu", series, 0, 100, "v")!;
            Assert.Equal(expected, all.ToDictionary(s => s.SeriesId, s => (s.Summary.BlocksFromStatistics, s.Summary.BlocksDecoded)));

            // Over [0, 27] h-2's shared key 28, inside the blocks of C and of the second part, is out of the range: its
            // blocks are summarized one by one (the first part's inside, the others straddling), h-3's still row by row.
            List<SeriesFieldSummary> early = shard.SummarizeField("cpu", series, 0, 27, "v")!;
            Assert.Equal((1, 2), early.Where(s => s.SeriesId == SeriesOf("eu", "h-2")).Select(s => (s.Summary.BlocksFromStatistics, s.Summary.BlocksDecoded)).Single());
            Assert.Equal((0, 3), early.Where(s => s.SeriesId == SeriesOf("us", "h-3")).Select(s => (s.Summary.BlocksFromStatistics, s.Summary.BlocksDecoded)).Single());

            // By interval: each block wholly inside [0, 49].
            List<FieldSummary> halves = shard.SummarizeFieldByInterval("cpu", series, 0, 99, "v", 50)!;
            Assert.Equal((9, 10), (halves.Sum(s => s.BlocksFromStatistics), halves.Sum(s => s.BlocksDecoded)));
            List<FieldSummary> apartHalves = shard.SummarizeFieldByInterval("cpu", apart, 0, 99, "v", 50)!;
            Assert.Equal((9, 0), (apartHalves.Sum(s => s.BlocksFromStatistics), apartHalves.Sum(s => s.BlocksDecoded)));
        }

        if (cache is not null)
        {
            Assert.True(cache.Hits > 0, $"{cache.Hits} hits, {cache.Misses} misses");
        }

        shard.Merge(force: true);
        CheckOverlapping(shard, newest, series, "merged");
    }

    // Random parts of six hosts with blocks of 3 rows, so a part's blocks of a series interleave in time with other
    // parts' blocks: even hosts write times apart between parts (part p only times ≡ p mod 3), odd hosts random times,
    // mostly shared. Summaries equal the newest rows over many ranges, and over the whole range a series is read row
    // by row exactly when a time of it is in two parts.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Summaries_of_series_with_and_without_keys_in_two_parts_equal_the_newest_rows(bool withCache)
    {
        for (int seed = 0; seed < 6; seed++)
        {
            using TempDirectory dir = new();
            Shard shard = _leaks.Open(dir.Path, new ShardOptions
            {
                Kind = DataKind.Measure,
                Subjects = [s_cpu],
                PartWriter = PartWriterOptions.Default with { Fsync = false, MaxMeasureRowsPerBlock = 3 },
                SealRows = 1 << 20,
                BlockCache = withCache ? new DecodedBlockCache(1 << 20) : null,
            });
            var random = new Random(seed);
            var newest = new List<Sample>();
            var partsOf = new Dictionary<(ulong, long), int>();
            for (int part = 0; part < 3; part++)
            {
                HashSet<(int, long)> chosen = [];
                for (int h = 0; h < 6; h++)
                {
                    for (long t = 0; t < 60; t++)
                    {
                        bool take = h % 2 == 0 ? t % 3 == part && random.Next(10) < 8 : random.Next(10) < 4;
                        if (take)
                        {
                            chosen.Add((h, t));
                        }
                    }
                }

                (WriteBatch batch, List<Sample> rows) = Cpu(hosts: 6, first: 0, count: 60, version: part + 1, offset: part * 5, keep: (h, t) => chosen.Contains((h, t)));
                foreach (Sample row in rows)
                {
                    partsOf[(row.Series, row.Time)] = partsOf.GetValueOrDefault((row.Series, row.Time)) + 1;
                }

                newest = Newest(newest, rows);
                shard.Write(batch);
                if (part < 2)
                {
                    shard.Flush();
                }
                else
                {
                    await shard.SealAsync();
                }
            }

            ulong[] series = [.. newest.Select(s => s.Series).Distinct().Order()];
            string where = $"seed {seed}";
            int sharing = partsOf.Where(k => k.Value > 1).Select(k => k.Key.Item1).Distinct().Count();
            Assert.True(sharing > 0 && sharing < series.Length, $"{where}: {sharing} of {series.Length} series have a time in two parts");
            for (int i = 0; i < 8; i++)
            {
                long min = random.Next(-5, 60);
                long max = min + random.Next(0, 40);
                CheckSummaries(shard, newest, series, min, max, where);
                CheckIntervals(shard, newest, series, min, max, random.Next(1, 12), where);
            }

            foreach (SeriesFieldSummary s in shard.SummarizeField("cpu", series, long.MinValue, long.MaxValue, "v")!)
            {
                bool shared = partsOf.Any(k => k.Key.Item1 == s.SeriesId && k.Value > 1);
                Assert.True(
                    shared ? s.Summary.BlocksFromStatistics == 0 && s.Summary.BlocksDecoded > 0 : s.Summary.BlocksDecoded == 0,
                    $"{where}, series {s.SeriesId:x16} ({(shared ? "a time in two parts" : "no time in two parts")}): {s.Summary.BlocksFromStatistics} blocks from statistics, {s.Summary.BlocksDecoded} decoded");
            }
        }
    }

    [Fact]
    public void Series_are_found_by_entity_values_whether_their_writes_are_sealed_or_not()
    {
        using TempDirectory dir = new();
        Shard shard = Open(dir);
        (WriteBatch batch, _) = Cpu(hosts: 6, first: 0, count: 3);
        shard.Write(batch);

        // Not sealed yet: the index does not hold them, the selection names them undecided.
        SeriesSelection buffered = shard.FindSeries("cpu", [TagValue.FromString("eu")], null, 0, 100);
        Assert.Empty(buffered.Indexed);
        Assert.Equal(6, buffered.Unindexed.Count);
        Assert.Empty(shard.FindSeries("cpu", [], null, 50, 100).Unindexed);

        shard.Flush();
        SeriesSelection eu = shard.FindSeries("cpu", [TagValue.FromString("eu")], null, 0, 100);
        Assert.Empty(eu.Unindexed);
        Assert.Equal(["h-0", "h-2", "h-4"], eu.Indexed.Select(m => m.EntityValues[1].Text).Order());
        Assert.True(eu.Indexed.Select(m => m.SeriesId).SequenceEqual(eu.Ids()));
        Assert.All(eu.Indexed, m => Assert.Equal(SeriesOf(m.EntityValues[0].Text!, m.EntityValues[1].Text!), m.SeriesId));

        SeriesSelection filtered = shard.FindSeries("cpu", [], values => values[1].Text is "h-1" or "h-2", 0, 100);
        Assert.Equal([SeriesOf("us", "h-1"), SeriesOf("eu", "h-2")], filtered.Ids().Order().ToArray());
        Assert.Equal(6, shard.FindSeries("cpu", [], null, long.MinValue, long.MaxValue).Indexed.Count);
        Assert.Empty(shard.FindSeries("cpu", [TagValue.FromString("asia")], null, 0, 100).Ids());

        // A series index kept across reopen.
        shard.Dispose();
        Shard reopened = _leaks.Open(dir.Path, new ShardOptions { Kind = DataKind.Measure, PartWriter = PartWriterOptions.Default with { Fsync = false } });
        Assert.Equal(3, reopened.FindSeries("cpu", [TagValue.FromString("us")], null, 0, 100).Indexed.Count);
    }
}
