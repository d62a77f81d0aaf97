using Banyan.Storage.Compression;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

public sealed class PartRoundTripTests
{
    private static readonly PartWriterOptions s_smallBlocks = new()
    {
        MaxMeasureRowsPerBlock = 37,
        MaxBlockBytes = 16 << 10,
        PrimaryChunkBytes = 300,
        Fsync = false,
    };

    public static TheoryData<int, DataKind, bool> Cases()
    {
        var data = new TheoryData<int, DataKind, bool>();
        // BANYAN_LONG_TESTS=1 runs many more seeds (minutes instead of seconds).
        int seeds = Environment.GetEnvironmentVariable("BANYAN_LONG_TESTS") == "1" ? 300 : 12;
        for (int seed = 1; seed <= seeds; seed++)
        {
            data.Add(seed, seed % 2 == 0 ? DataKind.Measure : DataKind.Stream, seed % 3 == 0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Random_rows_round_trip_through_memory_and_disk_parts(int seed, DataKind kind, bool columnar)
    {
        var rows = new RandomRows(seed, kind);
        List<ReferenceRow> expected = RandomRows.Expected(kind, [rows.Rows]);
        // Format 1 too: parts written by earlier builds are still read.
        foreach (PartWriterOptions options in new[] { s_smallBlocks, PartWriterOptions.Default with { Fsync = false }, s_smallBlocks with { Codec = CompressionCodec.Lz4 }, s_smallBlocks with { FormatVersion = 1 } })
        {
            using MemoryPart memory = MemoryPart.Build(rows.ToBatch(columnar), options);
            RandomRows.AssertSame(expected, rows.ReadAll(memory), $"seed {seed} memory part");

            using var temp = new TempDirectory();
            string path = temp.Sub("part");
            PartMetadata written = memory.WriteTo(path, options);
            Assert.Equal(expected.Count, written.RowCount);
            Assert.False(Directory.Exists(path + PartFileNames.TemporarySuffix));
            using PartReader disk = PartReader.Open(path);
            Assert.Equal(written, disk.Metadata with { TagFamilies = written.TagFamilies });
            Assert.Equal(written.TagFamilies, disk.Metadata.TagFamilies);
            RandomRows.AssertSame(expected, rows.ReadAll(disk), $"seed {seed} disk part (format {options.FormatVersion}, {options.Codec}, {options.MaxMeasureRowsPerBlock} rows/block)");
        }
    }

    [Fact]
    public void Blocks_are_cut_at_8192_rows_for_measures_and_at_the_byte_limit()
    {
        var batch = new WriteBatch(DataKind.Measure);
        int value = batch.AddColumn(null, "v", ColumnValueType.Float64);
        long[] ts = new long[20000];
        double[] values = new double[20000];
        for (int i = 0; i < ts.Length; i++)
        {
            ts[i] = i * 1000L;
            values[i] = i * 0.5;
        }

        batch.AppendKeys(7, ts, 1);
        batch.Columns[value].AppendDoubles(values);
        using MemoryPart part = MemoryPart.Build(batch);
        Assert.Equal([8192, 8192, 3616], part.Blocks.Select(b => b.Count));

        var stream = new WriteBatch(DataKind.Stream);
        int tag = stream.AddColumn("default", "msg", ColumnValueType.String);
        for (int i = 0; i < 100; i++)
        {
            stream.AddRow(1, i, i, [ColumnValue.FromString(new string('a', 100_000))]);
        }

        _ = tag;
        using MemoryPart streamPart = MemoryPart.Build(stream);
        Assert.All(streamPart.Blocks, b => Assert.True(b.UncompressedSize <= (2 << 20) + 100_100, $"block of {b.UncompressedSize} bytes"));
        Assert.True(streamPart.Blocks.Count >= 4);
    }

    [Fact]
    public void Find_blocks_prunes_by_series_and_time_and_reads_only_projected_columns()
    {
        var rows = new RandomRows(99, DataKind.Measure, maxRows: 3000);
        using var temp = new TempDirectory();
        using MemoryPart memory = MemoryPart.Build(rows.ToBatch(false), s_smallBlocks);
        memory.WriteTo(temp.Sub("p"), s_smallBlocks);
        using PartReader disk = PartReader.Open(temp.Sub("p"));
        ulong series = rows.Rows[0].SeriesId;
        long min = rows.Rows.Min(r => r.Timestamp) + 1_000_000_000_000L;
        long max = min + 1_000_000_000_000L;
        foreach (IPartReader part in new IPartReader[] { memory, disk })
        {
            var headers = new List<BlockHeader>();
            part.FindBlocks(new SeriesTimeFilter([series], min, max), headers);
            Assert.All(headers, h => Assert.True(h.SeriesId == series && h.MinTimestamp <= max && h.MaxTimestamp >= min));
            List<ReferenceRow> expected = RandomRows.Expected(DataKind.Measure, [rows.Rows]).Where(r => r.SeriesId == series && r.Timestamp >= min && r.Timestamp <= max).ToList();
            var block = new Block();
            var scratch = new Banyan.Storage.Encodings.DecodeScratch();
            int found = 0;
            foreach (BlockHeader header in headers)
            {
                part.ReadBlock(header, ColumnProjection.Of(["f_float"], [("default", "t_str")]), block, scratch);
                Assert.Equal(["f_float", "t_str"], block.Columns.Select(c => c.Name).Order());
                for (int r = 0; r < block.Count; r++)
                {
                    found += block.Timestamps[r] >= min && block.Timestamps[r] <= max ? 1 : 0;
                }
            }

            Assert.Equal(expected.Count, found);
        }
    }

    [Fact]
    public void Writer_rejects_out_of_order_blocks_and_leaves_no_folder_when_not_completed()
    {
        using var temp = new TempDirectory();
        string path = temp.Sub("p");
        using (var writer = new PartWriter(path, DataKind.Measure, s_smallBlocks))
        {
            var block = new Block();
            block.Reset(5);
            block.AppendKeys([10, 20], [1, 1]);
            writer.WriteBlock(block);
            block.Reset(4);
            block.AppendKeys([30], [1]);
            ArgumentException e = Assert.Throws<ArgumentException>(() => writer.WriteBlock(block));
            Assert.Contains("before the previous block", e.Message, StringComparison.Ordinal);
            block.Reset(6);
            block.AppendKeys([30, 29], [1, 1]);
            Assert.Throws<ArgumentException>(() => writer.WriteBlock(block));
        }

        Assert.False(Directory.Exists(path));
        Assert.False(Directory.Exists(path + PartFileNames.TemporarySuffix));
    }

    [Theory]
    [InlineData(5, 200)]
    [InlineData(6, 200)]
    [InlineData(12, 20)]
    [InlineData(8, 20)]
    public void Find_blocks_of_a_series_set_returns_exactly_the_blocks_a_header_by_header_test_selects(int seed, int maxSeries)
    {
        // A disk part seeks each selected series in its chunks; the reference tests every header of the part. With few
        // series a series has several blocks, and the seek must land on the first of them.
        var rows = new RandomRows(seed, DataKind.Measure, maxRows: 4000, maxSeries: maxSeries);
        using var temp = new TempDirectory();
        using MemoryPart memory = MemoryPart.Build(rows.ToBatch(false), s_smallBlocks);
        memory.WriteTo(temp.Sub("p"), s_smallBlocks);
        using PartReader disk = PartReader.Open(temp.Sub("p"));
        var all = new List<BlockHeader>();
        disk.FindBlocks(SeriesTimeFilter.All, all);
        ulong[] present = [.. all.Select(h => h.SeriesId).Distinct().Order()];
        Assert.True(all.Count > 50, $"{all.Count} blocks: the test needs many primary chunks (300 bytes of headers each)");
        if (maxSeries <= 20)
        {
            Assert.True(all.GroupBy(h => h.SeriesId).Count(g => g.Count() > 2) >= 5, "the test needs series of several blocks");
        }
        var random = new Random(seed);
        long minTime = all.Min(h => h.MinTimestamp);
        long maxTime = all.Max(h => h.MaxTimestamp);
        for (int trial = 0; trial < 200; trial++)
        {
            // Some present series, some absent ids (below, between and above them), any time range.
            int take = trial % 10 == 0 ? present.Length : random.Next(0, 12);
            SortedSet<ulong> chosen = [.. present.OrderBy(_ => random.Next()).Take(take)];
            for (int extra = random.Next(0, 4); extra > 0; extra--)
            {
                chosen.Add((ulong)random.NextInt64() | (random.Next(2) == 0 ? 0 : 1UL << 63));
            }

            long a = minTime + (long)((maxTime - minTime) * random.NextDouble());
            long b = minTime + (long)((maxTime - minTime) * random.NextDouble());
            var filter = new SeriesTimeFilter([.. chosen], trial % 3 == 0 ? long.MinValue : Math.Min(a, b), trial % 3 == 0 ? long.MaxValue : Math.Max(a, b));
            var found = new List<BlockHeader>();
            disk.FindBlocks(filter, found);
            List<BlockHeader> expected = [.. all.Where(h => filter.IncludesSeries(h.SeriesId) && filter.OverlapsTime(h.MinTimestamp, h.MaxTimestamp))];
            Assert.Equal(expected, found);
        }
    }

    [Fact]
    public void Empty_part_round_trips()
    {
        using var temp = new TempDirectory();
        using MemoryPart memory = MemoryPart.Build(new WriteBatch(DataKind.Stream));
        // Default options: files and folders are fsynced.
        PartMetadata metadata = memory.WriteTo(temp.Sub("e"));
        Assert.Equal(0, metadata.RowCount);
        using PartReader reader = PartReader.Open(temp.Sub("e"));
        var headers = new List<BlockHeader>();
        reader.FindBlocks(SeriesTimeFilter.All, headers);
        Assert.Empty(headers);
    }

    [Fact]
    public void Write_batch_reports_bad_input_by_column()
    {
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        ArgumentException e = Assert.Throws<ArgumentException>(() => batch.AddRow(1, 1, 1, [ColumnValue.FromString("x")]));
        Assert.Contains("'.v'", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, batch.Count);
        batch.AppendKeys([1UL], [1L], [1L]);
        InvalidOperationException missing = Assert.Throws<InvalidOperationException>(() => MemoryPart.Build(batch));
        Assert.Contains("'.v' has 0 values for 1 rows", missing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new WriteBatch(DataKind.Stream).AddColumn(null, "f", ColumnValueType.Int64));
        Assert.Throws<ArgumentException>(() => new WriteBatch(DataKind.Stream).AddColumn("../etc", "f", ColumnValueType.Int64));
    }

    [Fact]
    public void A_part_can_be_read_by_many_threads_at_once()
    {
        var rows = new RandomRows(55, DataKind.Measure, maxRows: 1500);
        List<ReferenceRow> expected = RandomRows.Expected(DataKind.Measure, [rows.Rows]);
        using var temp = new TempDirectory();
        MemoryPart.Build(rows.ToBatch(true), s_smallBlocks).WriteTo(temp.Sub("p"), s_smallBlocks);
        using PartReader reader = PartReader.Open(temp.Sub("p"));
        Parallel.For(0, 8, i => RandomRows.AssertSame(expected, rows.ReadAll(reader), $"thread {i}"));
    }
}
