using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// A memory part keeps each subject's rows in one row store and its blocks as ranges of it: written to disk it is the
/// part its blocks, written one by one, make (byte for byte, encoded on one thread or two); each block read back through
/// <see cref="IPartReader.ReadBlock"/> is that block under any projection; and an entity column the mask cannot mark
/// (past the 64th column) keeps its values in the part.
/// </summary>
public sealed class MemoryPartRowStoreTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void A_part_of_interleaved_subjects_writes_what_its_blocks_write_one_by_one(int seed, bool filtered)
    {
        var random = new Random(seed);
        WriteBatch[] batches = [.. Enumerable.Range(0, 12).Select(b => Batch(random, b % 3 == 0 ? "cpu" : b % 3 == 1 ? "disk" : "net", b))];
        SeriesTimeFilter? filter = filtered ? new SeriesTimeFilter(null, 40, 160) : null;
        var options = new PartWriterOptions { MaxMeasureRowsPerBlock = 7, Fsync = false, ParallelEncoding = false };
        MemoryPart part = Assert.Single(MemoryPartBuilder.BuildAll(batches, DataKind.Measure, options, filter, subject => subject == "net" ? null : ["host"]));
        Assert.True(part.Headers.Select(h => h.MemoryRows).Distinct().Count() == 3, "one row store per subject");
        Assert.True(part.Blocks.Count > 20, "blocks of each subject, cut by the row limit");
        // The entity tag holds the series' value where a block has it in every row: not where the first batches, written
        // before the column existed, left it null; never for a subject without entity tags.
        foreach (Block block in part.Blocks)
        {
            ColumnBuffer host = block.Columns.Single(c => c.Name == "host");
            bool wholeValue = host.NullCount == 0 && block.SeriesId < 1_000_000;
            Assert.True(wholeValue == host.HoldsSeriesEntity, $"block of series {block.SeriesId}: {host.NullCount} nulls, marked {host.HoldsSeriesEntity}");
        }

        Assert.Contains(part.Blocks, b => b.Columns.Single(c => c.Name == "host").HoldsSeriesEntity);
        Assert.Contains(part.Blocks, b => b.SeriesId < 1_000_000 && b.Columns.Single(c => c.Name == "host").NullCount > 0);

        using var temp = new TempDirectory();
        foreach (bool parallel in new[] { false, true })
        {
            PartWriterOptions writerOptions = options with { ParallelEncoding = parallel };
            string fromPart = temp.Sub($"part-{parallel}");
            string fromBlocks = temp.Sub($"blocks-{parallel}");
            part.WriteTo(fromPart, writerOptions);
            using (var writer = new PartWriter(fromBlocks, DataKind.Measure, writerOptions))
            {
                foreach (Block block in part.Blocks)
                {
                    writer.WriteBlock(block);
                }

                writer.Complete();
            }

            AssertSameFiles(fromBlocks, fromPart);
        }

        // Each block read through the part under a projection: its keys and the projected columns of the block.
        ColumnProjection[] projections = [ColumnProjection.All, ColumnProjection.KeysOnly, ColumnProjection.Of(["value"], []), ColumnProjection.Of([], [("tags", "host")])];
        var read = new Block();
        var scratch = new DecodeScratch();
        for (int b = 0; b < part.Headers.Count; b++)
        {
            Block want = part.Blocks[b];
            foreach (ColumnProjection projection in projections)
            {
                part.ReadBlock(part.Headers[b], projection, read, scratch);
                Assert.Equal(want.SeriesId, read.SeriesId);
                Assert.Equal(want.Timestamps.ToArray(), read.Timestamps.ToArray());
                Assert.Equal(want.Versions.ToArray(), read.Versions.ToArray());
                ColumnBuffer[] projected = [.. want.Columns.Where(c => c.Family is null ? projection.IncludesField(c.Name) : projection.IncludesTag(c.Family, c.Name))];
                Assert.Equal(projected.Length, read.Columns.Count);
                for (int c = 0; c < projected.Length; c++)
                {
                    ColumnBuffer x = projected[c];
                    ColumnBuffer y = read.Columns[c];
                    Assert.Equal((x.Family, x.Name, x.HoldsSeriesEntity), (y.Family, y.Name, y.HoldsSeriesEntity));
                    Assert.Equal(Enumerable.Range(0, x.Count).Select(x.GetValue), Enumerable.Range(0, y.Count).Select(y.GetValue));
                }
            }
        }
    }

    [Fact]
    public void An_entity_column_past_the_64th_keeps_its_values_in_the_part()
    {
        const int Columns = 70;
        var batch = new WriteBatch(DataKind.Measure, "wide");
        for (int c = 0; c < Columns; c++)
        {
            batch.AddColumn("tags", "t" + c, ColumnValueType.String);
        }

        batch.AddColumn(null, "value", ColumnValueType.Int64);
        for (int s = 1; s <= 4; s++)
        {
            for (int t = 0; t < 5; t++)
            {
                ColumnValue[] row = [.. Enumerable.Range(0, Columns).Select(c => ColumnValue.FromString($"s{s}-t{c}")), ColumnValue.FromInt64((s * 100) + t)];
                batch.AddRow((ulong)s, t, 1, row);
            }
        }

        var options = new PartWriterOptions { Fsync = false };
        MemoryPart part = Assert.Single(MemoryPartBuilder.BuildAll([batch], DataKind.Measure, options, entityTagsOf: _ => ["t1", "t66"]));
        Assert.All(part.Blocks, block =>
        {
            Assert.True(block.Columns.Single(c => c.Name == "t1").HoldsSeriesEntity, "a column the mask marks");
            Assert.False(block.Columns.Single(c => c.Name == "t66").HoldsSeriesEntity, "past the mask: kept as any column");
        });

        using var temp = new TempDirectory();
        part.WriteTo(temp.Sub("part"), options);
        using PartReader reader = PartReader.Open(temp.Sub("part"));
        var headers = new List<BlockHeader>();
        reader.FindBlocks(new SeriesTimeFilter(null, long.MinValue, long.MaxValue), headers);
        Assert.Equal(4, headers.Count);
        var block = new Block();
        var scratch = new DecodeScratch();
        foreach (BlockHeader header in headers)
        {
            reader.ReadBlock(header, ColumnProjection.Of([], [("tags", "t66")]), block, scratch);
            ColumnBuffer t66 = Assert.Single(block.Columns);
            Assert.All(Enumerable.Range(0, t66.Count), r => Assert.Equal($"s{header.SeriesId}-t66", t66.GetString(r)));
        }
    }

    // A measure batch of one subject: a few series with an entity tag `host` (from the subject's second batch on), a tag
    // that changes row to row (null now and then), an int field; timestamps that repeat so versions decide.
    private static WriteBatch Batch(Random random, string subject, int index)
    {
        var batch = new WriteBatch(DataKind.Measure, subject);
        bool withHost = index >= 3; // each subject's first batch was written before the entity tag existed
        if (withHost)
        {
            batch.AddColumn("tags", "host", ColumnValueType.String);
        }

        batch.AddColumn("tags", "note", ColumnValueType.String);
        batch.AddColumn(null, "value", ColumnValueType.Int64);
        for (int i = 0; i < 60; i++)
        {
            ulong series = (ulong)random.Next(1, 9) * (subject == "cpu" ? 1UL : subject == "disk" ? 1_000UL : 1_000_000UL);
            ColumnValue note = random.Next(5) == 0 ? ColumnValue.Null : ColumnValue.FromString("note-" + random.Next(100));
            ColumnValue value = ColumnValue.FromInt64(random.NextInt64(-1_000, 1_000));
            batch.AddRow(series, random.Next(0, 200), index, withHost ? [ColumnValue.FromString($"host-{series}-{new string('h', (int)(series % 13))}"), note, value] : [note, value]);
        }

        return batch;
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
