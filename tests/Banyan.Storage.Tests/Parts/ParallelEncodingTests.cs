using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// A part writer that encodes blocks on two threads (<see cref="PartWriterOptions.ParallelEncoding"/>)
/// writes the same bytes as one that encodes them one by one: through a memory part's write (blocks
/// queued as they are) and through a merge (blocks cut by the writer), for both formats, with blocks of
/// fields only between blocks with tags (their tag families encoded on either thread too). Each full queue of blocks is
/// encoded on a pool thread while the writer assembles the next: over parts of many queues, whichever way the blocks
/// come (a memory part, whole blocks, a merge's rows), the bytes are the same, and a writer given up with a queue
/// handed off leaves nothing behind.
/// </summary>
public sealed class ParallelEncodingTests
{
    [Theory]
    [InlineData(1, 3u)]
    [InlineData(2, 2u)]
    [InlineData(3, 1u)]
    [InlineData(4, 3u)]
    public void Parallel_and_sequential_encoding_write_identical_parts(int seed, uint formatVersion)
    {
        var sequential = new PartWriterOptions { MaxMeasureRowsPerBlock = 37, PrimaryChunkBytes = 500, Fsync = false, FormatVersion = formatVersion, ParallelEncoding = false };
        PartWriterOptions parallel = sequential with { ParallelEncoding = true };
        var random = new Random(seed);
        WriteBatch[] batches = [Batch(random, "cpu", tags: false), Batch(random, "disk", tags: true), Batch(random, "cpu", tags: false)];

        using var temp = new TempDirectory();
        MemoryPart[] memory = [.. batches.Select(b => MemoryPart.Build(b, sequential))];
        Assert.True(memory[0].Blocks.Count > 3 * 64, "enough blocks to fill the queue several times");

        memory[0].WriteTo(temp.Sub("one-seq"), sequential);
        memory[0].WriteTo(temp.Sub("one-par"), parallel);
        AssertSameFiles(temp.Sub("one-seq"), temp.Sub("one-par"));

        PartMerger.Merge(memory, DataKind.Measure, temp.Sub("merged-seq"), sequential);
        PartMerger.Merge(memory, DataKind.Measure, temp.Sub("merged-par"), parallel);
        AssertSameFiles(temp.Sub("merged-seq"), temp.Sub("merged-par"));

        // And the part reads back every row (the writer placed what it encoded, in order).
        using PartReader reader = PartReader.Open(temp.Sub("merged-par"));
        Assert.Equal(batches.Sum(b => (long)b.Count), reader.Metadata.RowCount);
    }

    [Fact]
    public void A_merge_of_rows_with_tags_reuses_its_blocks_when_encoding_on_two_threads()
    {
        // A merge's writer hands each full block to the queue of blocks encoded together and goes on in a spare one; the
        // block comes back to the spares once placed. When blocks with tags were encoded at once instead of queued, they
        // never came back, and every block of a merge with tags allocated a fresh block and column buffers (about 9 KB
        // per block here). Reused, a block costs its header's few small arrays (plus the queue's blocks, once).
        var options = new PartWriterOptions { MaxMeasureRowsPerBlock = 50, Fsync = false, ParallelEncoding = true };
        List<Block> sources = TaggedBlocks(series: 1_600, rowsPerSeries: 100);
        using var temp = new TempDirectory();
        WriteRowByRow(sources, temp.Sub("warm-up"), options);

        long before = GC.GetAllocatedBytesForCurrentThread();
        long blocks = WriteRowByRow(sources, temp.Sub("measured"), options);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(3_200, blocks);
        Assert.True(allocated < 1_500 * blocks, $"{allocated:N0} bytes allocated for {blocks} blocks ({allocated / blocks:N0} per block)");
    }

    private static long WriteRowByRow(List<Block> sources, string folder, PartWriterOptions options)
    {
        using var writer = new PartWriter(folder, DataKind.Measure, options);
        foreach (Block source in sources)
        {
            for (int row = 0; row < source.Count; row++)
            {
                writer.AppendRow(source, row);
            }
        }

        return writer.Complete().BlockCount;
    }

    // One block per series with three string tags of 20-40 bytes and a float field, as a merge reads them.
    private static List<Block> TaggedBlocks(int series, int rowsPerSeries)
    {
        List<Block> blocks = [];
        for (int s = 0; s < series; s++)
        {
            var block = new Block();
            block.Reset((ulong)(s + 1) << 32);
            ColumnBuffer[] tags =
            [
                block.AddColumn("default", "service", ColumnValueType.String),
                block.AddColumn("default", "instance", ColumnValueType.String),
                block.AddColumn("default", "endpoint", ColumnValueType.String),
            ];
            ColumnBuffer value = block.AddColumn(null, "value", ColumnValueType.Float64);
            for (int r = 0; r < rowsPerSeries; r++)
            {
                block.AppendKey(1_700_000_000_000L + (r * 15_000L), 1);
                foreach (ColumnBuffer tag in tags)
                {
                    tag.AppendString($"{tag.Name}-{s}-of-the-benchmark-fleet");
                }

                value.AppendDouble(r * 0.5);
            }

            blocks.Add(block);
        }

        return blocks;
    }

    // Rows of 300 series (cpu) or 40 series with a tag family (disk), 0–60 rows each, fields of three kinds;
    // distinct timestamps per series, so a merge keeps every row.
    private static WriteBatch Batch(Random random, string subject, bool tags)
    {
        var batch = new WriteBatch(DataKind.Measure, subject);
        int ints = batch.AddColumn(null, "f_int", ColumnValueType.Int64);
        int floats = batch.AddColumn(null, "f_float", ColumnValueType.Float64);
        int strings = batch.AddColumn(null, "f_str", ColumnValueType.String);
        int tag = tags ? batch.AddColumn("default", "host", ColumnValueType.String) : -1;
        int series = tags ? 40 : 300;
        long start = 1_700_000_000_000L + random.Next(1000);
        for (int s = 0; s < series; s++)
        {
            ulong id = (ulong)random.NextInt64() ^ (tags ? 1UL : 0UL);
            int rows = random.Next(61);
            long step = random.Next(3) == 0 ? 1 + random.Next(20_000) : 15_000; // evenly spaced or not
            for (int r = 0; r < rows; r++)
            {
                long ts = step == 15_000 ? start + (r * step) : start + (r * step * 3) + random.Next(3);
                batch.AppendKeys([id], [ts], [random.Next(4) == 0 ? random.Next(3) : 0]);
                batch.Columns[ints].AppendInt64(random.Next(3) == 0 ? random.NextInt64() : r * 10);
                batch.Columns[floats].AppendDouble(Math.Round(random.NextDouble() * 1000, random.Next(5)));
                batch.Columns[strings].AppendString(random.Next(5) == 0 ? null : "v" + random.Next(50));
                if (tags)
                {
                    batch.Columns[tag].AppendString("host-" + (s % 7));
                }
            }
        }

        return batch;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Parts_of_many_queues_handed_off_are_the_bytes_of_one_thread_whichever_way_the_blocks_come(int seed)
    {
        MemoryPart part = ManyBlocks(seed);
        Assert.True(part.Blocks.Count > 1_000, $"{part.Blocks.Count} blocks: enough for many queues of 64");
        using var temp = new TempDirectory();
        foreach (string way in new[] { "part", "blocks", "rows" })
        {
            string single = Write(part, temp.Sub($"{way}-single"), way, parallel: false);
            string parallel = Write(part, temp.Sub($"{way}-parallel"), way, parallel: true);
            AssertSameFiles(single, parallel);
        }
    }

    [Fact]
    public void A_writer_given_up_with_a_queue_handed_off_leaves_no_folder()
    {
        MemoryPart part = ManyBlocks(3);
        using var temp = new TempDirectory();
        string directory = temp.Sub("abandoned");
        var options = new PartWriterOptions { MaxMeasureRowsPerBlock = 3, Fsync = false, ParallelEncoding = true };
        using (var writer = new PartWriter(directory, DataKind.Measure, options))
        {
            // 100 blocks: one queue of 64 handed off (its pool thread may still be encoding it), 36 queued, no Complete.
            foreach (Block block in part.Blocks.Take(100))
            {
                for (int row = 0; row < block.Count; row++)
                {
                    writer.AppendRow(block, row);
                }
            }
        }

        Assert.False(Directory.Exists(directory));
        Assert.False(Directory.Exists(directory + ".tmp"));
    }

    private static MemoryPart ManyBlocks(int seed)
    {
        var random = new Random(seed);
        var batch = new WriteBatch(DataKind.Measure, "cpu");
        batch.AddColumn("tags", "host", ColumnValueType.String);
        batch.AddColumn(null, "value", ColumnValueType.Float64);
        for (int series = 1; series <= 600; series++)
        {
            for (int t = 0; t < 7; t++)
            {
                batch.AddRow((ulong)series * 7919, t * 10_000_000_000L, 0, [ColumnValue.FromString($"host-{series}-{new string('x', series % 17)}"), ColumnValue.FromFloat64(random.Next(-1_000, 1_000) / 8.0)]);
            }
        }

        // Three rows a block: three blocks a series, 1,800 in all.
        return Assert.Single(MemoryPartBuilder.BuildAll([batch], DataKind.Measure, new PartWriterOptions { MaxMeasureRowsPerBlock = 3 }));
    }

    private static string Write(MemoryPart part, string directory, string way, bool parallel)
    {
        var options = new PartWriterOptions { MaxMeasureRowsPerBlock = 3, Fsync = false, ParallelEncoding = parallel };
        if (way == "part")
        {
            part.WriteTo(directory, options);
            return directory;
        }

        using var writer = new PartWriter(directory, DataKind.Measure, options);
        foreach (Block block in part.Blocks)
        {
            if (way == "blocks")
            {
                writer.WriteBlock(block);
            }
            else
            {
                writer.AppendRows(block, 0, block.Count);
            }
        }

        writer.Complete();
        return directory;
    }

    private static void AssertSameFiles(string expected, string actual)
    {
        List<string> names = [.. Directory.GetFiles(expected).Select(f => Path.GetFileName(f)).Order()];
        List<string> actualNames = [.. Directory.GetFiles(actual).Select(f => Path.GetFileName(f)).Order()];
        Assert.Equal(names, actualNames);
        foreach (string name in names)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, name))), $"{name} differs");
        }
    }
}
