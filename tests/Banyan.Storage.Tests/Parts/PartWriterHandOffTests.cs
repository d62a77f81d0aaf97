using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// A part writer that encodes on two threads hands each full queue of blocks to a pool thread and fills the next one
/// meanwhile: over parts of many queues (thousands of blocks), through each way blocks reach it (a memory part's flush,
/// whole blocks, a merge's rows), the files are byte for byte those of encoding on one thread; and a writer given up in
/// the middle of a hand-off leaves nothing behind.
/// </summary>
public sealed class PartWriterHandOffTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Parts_of_many_queues_are_the_bytes_of_one_thread_whichever_way_the_blocks_come(int seed)
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
        string[] names = [.. Directory.GetFiles(expected).Select(Path.GetFileName).Order()!];
        Assert.Equal(names, Directory.GetFiles(actual).Select(Path.GetFileName).Order());
        foreach (string name in names)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, name))), $"{name} differs");
        }
    }
}
