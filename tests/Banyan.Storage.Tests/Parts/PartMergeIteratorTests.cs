using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

public sealed class PartMergeIteratorTests
{
    private static readonly PartWriterOptions s_options = new() { MaxMeasureRowsPerBlock = 23, PrimaryChunkBytes = 200, Fsync = false };

    public static TheoryData<int, DataKind> Cases()
    {
        var data = new TheoryData<int, DataKind>();
        // BANYAN_LONG_TESTS=1 runs many more seeds.
        int seeds = Environment.GetEnvironmentVariable("BANYAN_LONG_TESTS") == "1" ? 300 : 10;
        for (int seed = 100; seed < 100 + seeds; seed++)
        {
            data.Add(seed, seed % 2 == 0 ? DataKind.Measure : DataKind.Stream);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Merging_memory_and_disk_parts_matches_the_reference_model(int seed, DataKind kind)
    {
        var random = new Random(seed);
        // Same series pool for every part (so keys overlap): derive all parts from one generator's rows.
        var source = new RandomRows(seed, kind, maxRows: 1500, maxSeries: 6);
        int partCount = 1 + random.Next(4);
        var partRows = new List<List<ReferenceRow>>();
        for (int p = 0; p < partCount; p++)
        {
            partRows.Add([]);
        }

        foreach (ReferenceRow row in source.Rows)
        {
            partRows[random.Next(partCount)].Add(row);
        }

        using var temp = new TempDirectory();
        var parts = new List<IPartReader>();
        try
        {
            for (int p = 0; p < partCount; p++)
            {
                MemoryPart memory = MemoryPart.Build(source.ToBatch(partRows[p], columnar: p % 2 == 0), s_options);
                if (random.Next(2) == 0)
                {
                    parts.Add(memory);
                }
                else
                {
                    memory.WriteTo(temp.Sub("p" + p), s_options);
                    parts.Add(PartReader.Open(temp.Sub("p" + p)));
                }
            }

            List<ReferenceRow> expected = RandomRows.Expected(kind, partRows);
            RandomRows.AssertSame(expected, ReadMerged(source, parts, kind, SeriesTimeFilter.All), $"seed {seed}, {partCount} parts, full range");

            // A sub-range for some series.
            long min = source.Rows.Count == 0 ? 0 : source.Rows.Min(r => r.Timestamp) + 500_000_000_000L;
            long max = min + 1_500_000_000_000L;
            ulong[] series = [.. source.Rows.Select(r => r.SeriesId).Distinct().Order().Where((_, i) => i % 2 == 0)];
            var query = new SeriesTimeFilter(series, min, max);
            List<ReferenceRow> expectedRange = [.. expected.Where(r => query.IncludesSeries(r.SeriesId) && r.Timestamp >= min && r.Timestamp <= max)];
            RandomRows.AssertSame(expectedRange, ReadMerged(source, parts, kind, query), $"seed {seed}, {partCount} parts, sub-range");

            // Merging into one disk part gives the same rows.
            PartMerger.Merge(parts, kind, temp.Sub("merged"), s_options);
            using PartReader merged = PartReader.Open(temp.Sub("merged"));
            RandomRows.AssertSame(expected, source.ReadAll(merged), $"seed {seed}, merged part");
        }
        finally
        {
            foreach (IPartReader part in parts)
            {
                part.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Merging_in_runs_writes_the_same_part_as_merging_row_by_row(int seed, DataKind kind)
    {
        // Parts holding consecutive time slices (as flushes produce), with a few rows moved to a
        // neighbour so slices overlap: long runs, and run ends at other parts' keys.
        var random = new Random(seed);
        var source = new RandomRows(seed, kind, maxRows: 1500, maxSeries: 6);

        // Every third seed with blocks small enough for the size limit to cut runs of rows with byte strings.
        PartWriterOptions options = seed % 3 == 0 ? s_options with { MaxBlockBytes = 700 } : s_options;
        List<ReferenceRow> byTime = [.. source.Rows.OrderBy(r => r.Timestamp)];
        int partCount = 2 + random.Next(3);
        var partRows = new List<List<ReferenceRow>>();
        for (int p = 0; p < partCount; p++)
        {
            partRows.Add([]);
        }

        for (int i = 0; i < byTime.Count; i++)
        {
            int slice = i * partCount / Math.Max(1, byTime.Count);
            if (random.Next(20) == 0)
            {
                slice = Math.Clamp(slice + (random.Next(2) == 0 ? -1 : 1), 0, partCount - 1);
            }

            partRows[slice].Add(byTime[i]);
        }

        using var temp = new TempDirectory();
        var parts = new List<IPartReader>();
        try
        {
            for (int p = 0; p < partCount; p++)
            {
                MemoryPart memory = MemoryPart.Build(source.ToBatch(partRows[p], columnar: true), options);
                if (p % 2 == 0)
                {
                    parts.Add(memory);
                }
                else
                {
                    memory.WriteTo(temp.Sub("p" + p), options);
                    parts.Add(PartReader.Open(temp.Sub("p" + p)));
                }
            }

            PartMerger.Merge(parts, kind, temp.Sub("runs"), options);
            var iterator = new PartMergeIterator(parts, kind, SeriesTimeFilter.All, ColumnProjection.All);
            using (var writer = new PartWriter(temp.Sub("rows"), kind, options))
            {
                while (iterator.MoveNext())
                {
                    writer.AppendRow(iterator.CurrentBlock, iterator.CurrentRow);
                }

                writer.Complete();
            }

            foreach (string file in Directory.GetFiles(temp.Sub("rows")))
            {
                string name = Path.GetFileName(file);
                Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(temp.Sub("runs"), name))), $"seed {seed}, {partCount} parts: {name} differs between run and row merges");
            }

            using PartReader merged = PartReader.Open(temp.Sub("runs"));
            RandomRows.AssertSame(RandomRows.Expected(kind, partRows), source.ReadAll(merged), $"seed {seed}, merged in runs");
        }
        finally
        {
            foreach (IPartReader part in parts)
            {
                part.Dispose();
            }
        }
    }

    [Fact]
    public void Measures_keep_the_highest_version_and_streams_keep_every_row()
    {
        foreach (DataKind kind in new[] { DataKind.Measure, DataKind.Stream })
        {
            var older = new WriteBatch(kind);
            older.AddColumn("default", "v", ColumnValueType.Int64);
            older.AddRow(1, 100, 5, [ColumnValue.FromInt64(1)]);
            older.AddRow(1, 200, 1, [ColumnValue.FromInt64(2)]);
            var newer = new WriteBatch(kind);
            newer.AddColumn("default", "v", ColumnValueType.Int64);
            newer.AddRow(1, 100, 3, [ColumnValue.FromInt64(3)]);
            newer.AddRow(1, 200, 1, [ColumnValue.FromInt64(4)]);
            using MemoryPart a = MemoryPart.Build(older);
            using MemoryPart b = MemoryPart.Build(newer);
            var iterator = new PartMergeIterator([a, b], kind, SeriesTimeFilter.All, ColumnProjection.All);
            var values = new List<long>();
            while (iterator.MoveNext())
            {
                values.Add(iterator.CurrentBlock.FindColumn("default", "v")!.GetInt64(iterator.CurrentRow));
            }

            // Measure: ts 100 keeps version 5 (older part); ts 200 has equal versions, the newer part wins.
            Assert.Equal(kind == DataKind.Measure ? [1L, 4L] : [1L, 3L, 2L, 4L], values);
        }
    }

    private static List<ReferenceRow> ReadMerged(RandomRows source, List<IPartReader> parts, DataKind kind, SeriesTimeFilter query)
    {
        var iterator = new PartMergeIterator(parts, kind, query, ColumnProjection.All);
        var rows = new List<ReferenceRow>();
        while (iterator.MoveNext())
        {
            rows.Add(source.ToReference(iterator.CurrentBlock, iterator.CurrentRow));
        }

        return rows;
    }
}
