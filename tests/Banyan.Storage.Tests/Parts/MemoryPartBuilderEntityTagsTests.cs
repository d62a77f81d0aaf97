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
    [InlineData(DataKind.Measure, 1)]
    [InlineData(DataKind.Measure, 2)]
    [InlineData(DataKind.Stream, 3)]
    public void Told_the_entity_tags_a_seal_builds_the_same_part_and_stores_them_once_per_block(DataKind kind, int seed)
    {
        // Time-major batches (one row per series each, as a scraper sends them), a tag that changes from row to row
        // beside the entity tags, and a first batch written before the entity tag `instance` existed.
        var random = new Random(seed);
        ulong[] series = [.. Enumerable.Range(0, 40).Select(_ => (ulong)random.NextInt64() | 1)];
        var batches = new List<WriteBatch>();
        for (int b = 0; b < 30; b++)
        {
            bool withInstance = b > 0;
            WriteBatch batch = new(kind, Subject);
            batch.AddColumn("default", "service", ColumnValueType.String);
            if (withInstance)
            {
                batch.AddColumn("default", "instance", ColumnValueType.String);
            }

            batch.AddColumn("default", "status", ColumnValueType.String);
            batch.AddColumn(kind == DataKind.Stream ? "values" : null, "value", ColumnValueType.Float64);
            for (int s = 0; s < series.Length; s++)
            {
                var row = new List<ColumnValue> { ColumnValue.FromString($"service-{s % 7}-{new string('x', s)}") };
                if (withInstance)
                {
                    row.Add(ColumnValue.FromString($"instance-{s}"));
                }

                row.Add(random.Next(6) == 0 ? ColumnValue.Null : ColumnValue.FromString($"status-{random.Next(3)}"));
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
