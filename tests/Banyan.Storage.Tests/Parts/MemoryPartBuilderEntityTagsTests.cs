using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Tests.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// A seal told a subject's entity tags (<see cref="MemoryPartBuilder.BuildAll"/>'s <c>entityTagsOf</c>) copies them once
/// per block, the block's series determining them: the part it builds is the part built without being told, block for
/// block and byte for byte, and the entity tags' bytes are stored once per block.
/// </summary>
public sealed class MemoryPartBuilderEntityTagsTests
{
    private const string Subject = "service_cpm";

    [Theory]
    [InlineData(DataKind.Measure, 1, false)]
    [InlineData(DataKind.Measure, 2, false)]
    [InlineData(DataKind.Stream, 3, false)]
    [InlineData(DataKind.Measure, 4, true)]
    [InlineData(DataKind.Stream, 5, true)]
    public void Told_the_entity_tags_a_seal_builds_the_same_part_and_stores_them_once_per_block(DataKind kind, int seed, bool onlyEntityTags)
    {
        // Time-major batches (one row per series each, as a scraper sends them), a tag that changes from row to row
        // beside the entity tags, and one batch without the entity tag `instance` (the first, as if written before the
        // tag existed, or the last, so a block's later rows lack a value its first row has). Or only entity tags, in
        // every batch, as the peer load writes them: a series' rows then all have its first row's size.
        var random = new Random(seed);
        ulong[] series = [.. Enumerable.Range(0, 40).Select(_ => (ulong)random.NextInt64() | 1)];
        var batches = new List<WriteBatch>();
        for (int b = 0; b < 30; b++)
        {
            bool withInstance = onlyEntityTags || b != (seed == 2 ? 29 : 0);
            WriteBatch batch = new(kind, Subject);
            batch.AddColumn("default", "service", ColumnValueType.String);
            if (withInstance)
            {
                batch.AddColumn("default", "instance", ColumnValueType.String);
            }

            if (!onlyEntityTags)
            {
                batch.AddColumn("default", "status", ColumnValueType.String);
            }

            batch.AddColumn(kind == DataKind.Stream ? "values" : null, "value", ColumnValueType.Float64);
            for (int s = 0; s < series.Length; s++)
            {
                var row = new List<ColumnValue> { ColumnValue.FromString($"service-{s % 7}-{new string('x', s)}") };
                if (withInstance)
                {
                    row.Add(ColumnValue.FromString($"instance-{s}"));
                }

                if (!onlyEntityTags)
                {
                    row.Add(random.Next(6) == 0 ? ColumnValue.Null : ColumnValue.FromString($"status-{random.Next(3)}"));
                }

                row.Add(ColumnValue.FromFloat64(random.NextDouble()));
                batch.AddRow(series[s], 1_000L * b, kind == DataKind.Stream ? (b * series.Length) + s : 1, [.. row]);
            }

            batches.Add(batch);
        }

        foreach (int maxBlockBytes in new[] { 2 << 20, 900 })
        {
            // A small block limit cuts each series' rows into several blocks by their bytes.
            var options = new PartWriterOptions { MaxBlockBytes = maxBlockBytes, Fsync = false };
            MemoryPart told = Assert.Single(MemoryPartBuilder.BuildAll(batches, kind, options, entityTagsOf: s => s == Subject ? ["service", "instance"] : null));
            MemoryPart plain = Assert.Single(MemoryPartBuilder.BuildAll(batches, kind, options));
            AssertSameBlocks(plain, told);
            Assert.Equal(plain.Metadata.UncompressedBytes, told.Metadata.UncompressedBytes);
            AssertOneRowPerBlock(told, "service");
            if (onlyEntityTags)
            {
                AssertOneRowPerBlock(told, "instance");
            }
            else
            {
                // A batch without `instance`: its rows are null there, so a block's rows may differ and keep a row each.
                AssertOneRowPerRow(told, "instance");
            }

            AssertOneRowPerRow(plain, "service");
            AssertCutAtTheLimit(plain, maxBlockBytes);
            Assert.True(maxBlockBytes > 1_000 || told.Blocks.Count > series.Length, "the small limit cuts series into several blocks");
            foreach (Block block in told.Blocks)
            {
                ColumnBuffer service = block.Columns.Single(c => c.Name == "service");
                Assert.Equal(service.GetBytes(0).Length, service.HeapLength);
            }
        }
    }

    [Fact]
    public void A_tag_name_two_families_share_is_not_taken_for_the_entity()
    {
        // Which of the two columns is the entity's may differ between batches, so neither is copied once per block:
        // family `b`'s `service` changes from row to row of a series and must keep every value.
        ulong[] series = [11, 12, 13];
        var batches = new List<WriteBatch>();
        for (int b = 0; b < 10; b++)
        {
            WriteBatch batch = new(DataKind.Measure, Subject);
            batch.AddColumn("a", "service", ColumnValueType.String);
            batch.AddColumn("b", "service", ColumnValueType.String);
            batch.AddColumn(null, "value", ColumnValueType.Int64);
            foreach (ulong id in series)
            {
                batch.AddRow(id, 1_000L * b, 1, [ColumnValue.FromString($"service-{id}"), ColumnValue.FromString($"row-{b}"), ColumnValue.FromInt64(b)]);
            }

            batches.Add(batch);
        }

        var options = new PartWriterOptions { Fsync = false };
        MemoryPart told = Assert.Single(MemoryPartBuilder.BuildAll(batches, DataKind.Measure, options, entityTagsOf: _ => ["service"]));
        AssertSameBlocks(Assert.Single(MemoryPartBuilder.BuildAll(batches, DataKind.Measure, options)), told);
        ColumnBuffer changing = told.Blocks[0].Columns.Single(c => c.Family == "b");
        Assert.Equal(Enumerable.Range(0, 10).Select(b => $"row-{b}"), Enumerable.Range(0, changing.Count).Select(r => changing.GetString(r)));
    }

    [Fact]
    public async Task A_shards_seal_stores_each_series_entity_tags_once_per_block()
    {
        using ShardLeakCheck leaks = new();
        using TempDirectory dir = new();
        Shard shard = leaks.Open(dir.Path, new ShardOptions
        {
            Kind = DataKind.Measure,
            Subjects = [new ShardIndexConfig(DataKind.Measure, Subject, ["service"], [])],
            PartWriter = PartWriterOptions.Default with { Fsync = false },
            SealRows = 1 << 20,
        });
        for (int t = 0; t < 20; t++)
        {
            WriteBatch batch = new(DataKind.Measure, Subject);
            batch.AddColumn("default", "service", ColumnValueType.String);
            batch.AddColumn(null, "value", ColumnValueType.Int64);
            for (int s = 0; s < 5; s++)
            {
                string service = "service-" + s;
                batch.AddRow(SeriesKey.ComputeSeriesId(Subject, [TagValue.FromString(service)]), t, 1, [ColumnValue.FromString(service), ColumnValue.FromInt64(t)]);
            }

            await shard.WriteAsync(batch);
        }

        await shard.SealAsync();
        using ShardReadView view = shard.AcquireView();
        MemoryPart part = Assert.IsType<MemoryPart>(Assert.Single(view.View.Memory).Handle.Part);
        Assert.Equal(5, part.Blocks.Count);
        Assert.All(part.Blocks, block =>
        {
            ColumnBuffer service = block.Columns.Single(c => c.Name == "service");
            Assert.Equal(20, service.Count);
            Assert.Equal("service-0".Length, service.HeapLength);
        });
    }

    // The row stores of `part` keep column `name` once per block: a store's column has as many rows as the store has
    // blocks, and each block's value is at its ordinal.
    private static void AssertOneRowPerBlock(MemoryPart part, string name)
    {
        foreach (IGrouping<Block, BlockHeader> store in part.Headers.GroupBy(h => h.MemoryRows!))
        {
            ColumnBuffer column = store.Key.Columns.Single(c => c.Name == name);
            Assert.Equal(store.Count(), column.Count);
            Assert.True(column.Count < store.Key.Count, "fewer rows than the store");
            Assert.Equal(Enumerable.Range(0, store.Count()), store.Select(h => h.MemoryStoreBlock));
        }
    }

    // The row stores of `part` keep column `name` row by row.
    private static void AssertOneRowPerRow(MemoryPart part, string name)
    {
        foreach (Block store in part.Headers.Select(h => h.MemoryRows!).Distinct())
        {
            Assert.Equal(store.Count, store.Columns.Single(c => c.Name == name).Count);
        }
    }

    // Every block but a series' last closed at the row that reached the size limit, by the sizes of its own rows (not
    // assumed from another row of the series).
    private static void AssertCutAtTheLimit(MemoryPart part, int maxBlockBytes)
    {
        for (int b = 0; b < part.Blocks.Count; b++)
        {
            Block block = part.Blocks[b];
            long[] rows = [.. Enumerable.Range(0, block.Count).Select(r => RowSize(block, r))];
            Assert.Equal(block.UncompressedSize, rows.Sum());
            Assert.True(rows.Sum() - rows[^1] < maxBlockBytes, $"block {b} went on after reaching the limit");
            bool seriesGoesOn = b + 1 < part.Blocks.Count && part.Blocks[b + 1].SeriesId == block.SeriesId;
            Assert.True(!seriesGoesOn || rows.Sum() >= maxBlockBytes, $"block {b} closed below the limit");
        }
    }

    // A row's uncompressed size as Block.UncompressedSize counts it: keys, 8 bytes per number, 4 plus the bytes per string.
    private static long RowSize(Block block, int row) =>
        16 + block.Columns.Sum(c => ColumnValueTypes.IsBytes(c.Type) ? 4L + Math.Max(0, c.GetBytes(row).Length) : 8L);

    private static void AssertSameBlocks(MemoryPart expected, MemoryPart actual)
    {
        Assert.Equal(expected.Blocks.Count, actual.Blocks.Count);
        for (int b = 0; b < expected.Blocks.Count; b++)
        {
            Block want = expected.Blocks[b];
            Block got = actual.Blocks[b];
            Assert.Equal(want.SeriesId, got.SeriesId);
            Assert.Equal(want.Timestamps.ToArray(), got.Timestamps.ToArray());
            Assert.Equal(want.UncompressedSize, got.UncompressedSize);
            Assert.Equal(want.Columns.Count, got.Columns.Count);
            for (int c = 0; c < want.Columns.Count; c++)
            {
                ColumnBuffer x = want.Columns[c];
                ColumnBuffer y = got.Columns[c];
                Assert.Equal((x.Family, x.Name, x.Count), (y.Family, y.Name, y.Count));
                for (int r = 0; r < x.Count; r++)
                {
                    Assert.True(x.GetValue(r).Equals(y.GetValue(r)), $"block {b}, column {x.Family}.{x.Name}, row {r}");
                }

                using ByteBuffer encodedWant = new();
                using ByteBuffer encodedGot = new();
                Assert.Equal(ColumnCodec.Encode(x, encodedWant), ColumnCodec.Encode(y, encodedGot));
                Assert.Equal(encodedWant.ToArray(), encodedGot.ToArray());
            }
        }
    }
}
