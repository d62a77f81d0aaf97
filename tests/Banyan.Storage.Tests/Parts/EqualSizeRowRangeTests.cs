using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// <see cref="PartWriter.AppendRows"/> takes runs of rows whose byte strings have one size per column (a series' tags,
/// as a merge reads them back from the series key) as ranges instead of row by row. The blocks must be cut where
/// row-by-row appends cut them: the same files, byte for byte, for runs cut by the size limit and by the row limit in
/// the middle, runs after a block of the same series that had other columns, runs with a null tag, and runs whose
/// sizes differ (which still go row by row).
/// </summary>
public sealed class EqualSizeRowRangeTests
{
    [Theory]
    [InlineData(1, 16L << 10, 8192)] // cut by the size limit inside runs
    [InlineData(2, 2L << 20, 37)] // cut by the row limit inside runs
    [InlineData(3, 3_000L, 50)] // both, small blocks
    public void Ranges_of_equal_size_rows_write_the_files_row_by_row_appends_write(int seed, long maxBlockBytes, int maxRows)
    {
        var options = new PartWriterOptions { MaxBlockBytes = maxBlockBytes, MaxMeasureRowsPerBlock = maxRows, Fsync = false, ParallelEncoding = false };
        List<(Block Source, int Start, int Count)> runs = Runs(new Random(seed));
        using var temp = new TempDirectory();

        using (var rowByRow = new PartWriter(temp.Sub("rows"), DataKind.Measure, options))
        {
            foreach ((Block source, int start, int count) in runs)
            {
                for (int row = start; row < start + count; row++)
                {
                    rowByRow.AppendRow(source, row);
                }
            }

            rowByRow.Complete();
        }

        long blocks;
        using (var ranges = new PartWriter(temp.Sub("ranges"), DataKind.Measure, options))
        {
            foreach ((Block source, int start, int count) in runs)
            {
                ranges.AppendRows(source, start, count);
            }

            blocks = ranges.Complete().BlockCount;
        }

        Assert.True(blocks > 90, $"{blocks} blocks for 60 series: the limits cut inside them");
        AssertSameFiles(temp.Sub("rows"), temp.Sub("ranges"));
        using PartReader reader = PartReader.Open(temp.Sub("ranges"));
        Assert.Equal(runs.Sum(r => (long)r.Count), reader.Metadata.RowCount);
    }

    [Fact]
    public void Only_columns_whose_sizes_are_equal_over_the_rows_qualify()
    {
        var column = new ColumnBuffer(null, "t", ColumnValueType.String);
        column.AppendString("abc");
        column.AppendString("xyz");
        column.AppendString(null);
        column.AppendString("");
        column.AppendString("abcd");

        Assert.True(column.HasEqualSizes(0, 2));
        Assert.True(column.HasEqualSizes(2, 2)); // a null and an empty string both count 0 bytes
        Assert.False(column.HasEqualSizes(1, 2));
        Assert.False(column.HasEqualSizes(0, 5));
        Assert.True(column.HasEqualSizes(4, 1));
    }

    // Series in order; each gets one to three source blocks (as parts of a merge give them), read in runs of 1..all rows.
    // Tags: three strings of one size per series (as read back from a key), sometimes a null tag for a whole block,
    // sometimes values of different sizes (row by row), and sometimes a block without the tags or with an extra field.
    private static List<(Block Source, int Start, int Count)> Runs(Random random)
    {
        List<(Block, int, int)> runs = [];
        long time = 1_700_000_000_000L;
        for (int s = 0; s < 60; s++)
        {
            ulong series = (ulong)(s + 1) << 20;
            int sources = 1 + random.Next(3);
            for (int b = 0; b < sources; b++)
            {
                int rows = 1 + random.Next(400);
                Block block = SourceBlock(random, series, s, time, rows);
                time += rows * 10_000L;
                int start = 0;
                while (start < rows)
                {
                    int count = random.Next(3) == 0 ? rows - start : 1 + random.Next(rows - start);
                    runs.Add((block, start, count));
                    start += count;
                }
            }
        }

        return runs;
    }

    private static Block SourceBlock(Random random, ulong series, int s, long time, int rows)
    {
        var block = new Block();
        block.Reset(series);
        int shape = random.Next(6);
        bool tags = shape != 0;
        ColumnBuffer[] tagColumns = tags
            ? [block.AddColumn("default", "service", ColumnValueType.String), block.AddColumn("default", "endpoint", ColumnValueType.String)]
            : [];
        ColumnBuffer value = block.AddColumn(null, "value", ColumnValueType.Float64);
        ColumnBuffer? extra = shape == 5 ? block.AddColumn(null, "extra", ColumnValueType.Int64) : null;
        for (int r = 0; r < rows; r++)
        {
            block.AppendKey(time + (r * 10_000L), 0);
            foreach (ColumnBuffer tag in tagColumns)
            {
                string? text = shape switch
                {
                    1 when tag.Name == "endpoint" => null, // a null tag for the whole block
                    2 => $"{tag.Name}-{s}-{random.Next(3) switch { 0 => "a", 1 => "bb", _ => "ccc" }}", // sizes differ
                    _ => $"{tag.Name}-{s:D4}-of-the-fleet",
                };
                tag.AppendString(text);
            }

            value.AppendDouble(Math.Round(random.NextDouble() * 100, 2));
            extra?.AppendInt64(r);
        }

        return block;
    }

    private static void AssertSameFiles(string expected, string actual)
    {
        List<string> names = [.. Directory.GetFiles(expected).Select(f => Path.GetFileName(f)).Order()];
        Assert.Equal(names, [.. Directory.GetFiles(actual).Select(f => Path.GetFileName(f)).Order()]);
        foreach (string name in names)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, name))), $"{name} differs");
        }
    }
}
