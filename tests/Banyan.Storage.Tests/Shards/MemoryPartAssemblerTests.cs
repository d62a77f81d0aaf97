using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards;

public sealed class MemoryPartAssemblerTests
{
    public static TheoryData<int, DataKind, bool, bool> Cases()
    {
        var data = new TheoryData<int, DataKind, bool, bool>();
        for (int seed = 1; seed <= 12; seed++)
        {
            data.Add(seed, seed % 3 == 0 ? DataKind.Stream : DataKind.Measure, seed % 2 == 0, seed % 4 < 2);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Builds_the_same_blocks_as_concatenating_sorting_and_building(int seed, DataKind kind, bool withStrings, bool withNulls)
    {
        var random = new Random(seed);

        // Small block limits so runs are cut by rows and by bytes.
        var options = new PartWriterOptions { MaxMeasureRowsPerBlock = 7, MaxBlockBytes = 300, Fsync = false };
        ulong[] ids = [.. Enumerable.Range(0, 1 + random.Next(40)).Select(_ => (ulong)random.NextInt64() | 1)];
        int batchCount = 1 + random.Next(6);
        var batches = new List<WriteBatch>();
        long elementId = 0;
        for (int b = 0; b < batchCount; b++)
        {
            WriteBatch batch = new(kind);
            string? fieldFamily = kind == DataKind.Stream ? "values" : null; // streams have tag families only
            batch.AddColumn(fieldFamily, "f", ColumnValueType.Float64);
            batch.AddColumn(fieldFamily, "i", ColumnValueType.Int64);
            if (withStrings)
            {
                batch.AddColumn("tags", "s", ColumnValueType.String);
            }

            int rows = random.Next(0, 300);
            for (int r = 0; r < rows; r++)
            {
                ulong series = ids[random.Next(ids.Length)];

                // Streams: distinct keys (repeats go the general way); measures: repeats with versions.
                long time = kind == DataKind.Stream ? (b * 1000) + r : random.Next(0, 50);
                long version = kind == DataKind.Stream ? ++elementId : random.Next(0, 3);
                ColumnValue f = withNulls && random.Next(5) == 0 ? ColumnValue.Null : ColumnValue.FromFloat64(random.NextDouble());
                ColumnValue i = ColumnValue.FromInt64(random.Next());
                if (withStrings)
                {
                    ColumnValue s = withNulls && random.Next(5) == 0 ? ColumnValue.Null : ColumnValue.FromString(new string('x', random.Next(0, 60)));
                    batch.AddRow(series, time, version, [f, i, s]);
                }
                else
                {
                    batch.AddRow(series, time, version, [f, i]);
                }
            }

            batches.Add(batch);
        }

        MemoryPart? assembled = MemoryPartAssembler.TryBuild(batches, kind, options);
        Assert.NotNull(assembled);
        WriteBatch combined = new(kind);
        foreach (WriteBatch batch in batches)
        {
            combined.AppendBatch(batch);
        }

        MemoryPart expected = MemoryPart.Build(BatchSorter.Sort(combined), options);
        string context = $"seed {seed}";
        Assert.True(expected.Blocks.Count == assembled.Blocks.Count, $"{context}: {assembled.Blocks.Count} blocks, expected {expected.Blocks.Count}");
        Assert.Equal(expected.Metadata.RowCount, assembled.Metadata.RowCount);
        Assert.Equal(expected.Metadata.SeriesCount, assembled.Metadata.SeriesCount);
        for (int b = 0; b < expected.Blocks.Count; b++)
        {
            Block want = expected.Blocks[b];
            Block got = assembled.Blocks[b];
            Assert.True(want.SeriesId == got.SeriesId && want.Count == got.Count, $"{context}, block {b}: series/count differ");
            Assert.True(want.Timestamps.SequenceEqual(got.Timestamps) && want.Versions.SequenceEqual(got.Versions), $"{context}, block {b}: keys differ");
            for (int c = 0; c < want.Columns.Count; c++)
            {
                for (int r = 0; r < want.Count; r++)
                {
                    Assert.True(want.Columns[c].GetValue(r).Equals(got.Columns[c].GetValue(r)), $"{context}, block {b}, column {want.Columns[c].Name}, row {r}");
                }
            }
        }
    }

    [Fact]
    public void Leaves_streams_with_repeated_keys_and_mixed_columns_to_the_general_path()
    {
        WriteBatch repeated = new(DataKind.Stream);
        repeated.AddColumn("f", "t", ColumnValueType.Int64);
        repeated.AddRow(1, 10, 1, [ColumnValue.FromInt64(1)]);
        repeated.AddRow(1, 10, 2, [ColumnValue.FromInt64(2)]);
        Assert.Null(MemoryPartAssembler.TryBuild([repeated], DataKind.Stream, PartWriterOptions.Default));

        WriteBatch a = new(DataKind.Measure);
        a.AddColumn(null, "v", ColumnValueType.Int64);
        a.AddRow(1, 10, 0, [ColumnValue.FromInt64(1)]);
        WriteBatch b = new(DataKind.Measure);
        b.AddColumn(null, "v", ColumnValueType.Float64);
        b.AddRow(1, 11, 0, [ColumnValue.FromFloat64(1)]);
        Assert.Null(MemoryPartAssembler.TryBuild([a, b], DataKind.Measure, PartWriterOptions.Default));
    }
}
