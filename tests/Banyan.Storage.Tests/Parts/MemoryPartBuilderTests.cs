using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// The one memory-part builder against a reference model: rows sorted by (series, timestamp),
/// measures deduplicated (highest version, then the later write), stream rows of equal keys in
/// arrival order, blocks cut by the documented rule, each block with the columns of its subject.
/// </summary>
public sealed class MemoryPartBuilderTests
{
    private sealed record Row(string Subject, ulong Series, long Time, long Version, int Arrival, Dictionary<(string?, string), ColumnValue> Values);

    public static TheoryData<int, DataKind, bool, bool, bool> Cases()
    {
        var data = new TheoryData<int, DataKind, bool, bool, bool>();
        for (int seed = 1; seed <= 16; seed++)
        {
            data.Add(seed, seed % 3 == 0 ? DataKind.Stream : DataKind.Measure, seed % 2 == 0, seed % 4 < 2, seed % 5 < 2);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Blocks_hold_the_reference_rows_cut_by_the_block_rule(int seed, DataKind kind, bool withStrings, bool withNulls, bool twoSubjects)
    {
        var random = new Random(seed);

        // Small block limits so runs are cut by rows and by bytes; for the later seeds, a size limit that rows of byte
        // strings rarely reach, so the row limit cuts their runs.
        var options = new PartWriterOptions { MaxMeasureRowsPerBlock = 7, MaxBlockBytes = seed <= 8 ? 300 : 1_000, Fsync = false };
        string[] subjects = twoSubjects ? ["cpu", "mem"] : [string.Empty];
        var idsBySubject = subjects.ToDictionary(s => s, _ => Enumerable.Range(0, 1 + random.Next(20)).Select(_ => (ulong)random.NextInt64() | 1).ToArray());
        var batches = new List<WriteBatch>();
        var rows = new List<Row>();
        int batchCount = 1 + random.Next(6);
        long elementId = 0;
        for (int b = 0; b < batchCount; b++)
        {
            string subject = subjects[random.Next(subjects.Length)];
            WriteBatch batch = new(kind, subject);
            string? fieldFamily = kind == DataKind.Stream ? "values" : null; // streams have tag families only
            var columns = new List<(string?, string, ColumnValueType)> { (fieldFamily, "f", ColumnValueType.Float64), (fieldFamily, "i", ColumnValueType.Int64) };
            if (withStrings)
            {
                columns.Add(("tags", "s", ColumnValueType.String));
            }

            if (subject == "mem")
            {
                columns.Add(("tags", "only_mem", ColumnValueType.Int64)); // a subject's own column
            }

            if (b > batchCount / 2)
            {
                columns.Add(("tags", "added_later", ColumnValueType.Int64)); // schema grew: older rows read null
            }

            foreach ((string? family, string name, ColumnValueType type) in columns)
            {
                batch.AddColumn(family, name, type);
            }

            int count = random.Next(0, 200);
            ulong[] ids = idsBySubject[subject];
            for (int r = 0; r < count; r++)
            {
                ulong series = ids[random.Next(ids.Length)];
                long time = random.Next(0, 50);
                long version = kind == DataKind.Stream ? ++elementId : random.Next(0, 3);
                var values = new ColumnValue[columns.Count];
                var byName = new Dictionary<(string?, string), ColumnValue>();
                for (int c = 0; c < columns.Count; c++)
                {
                    (string? family, string name, ColumnValueType type) = columns[c];
                    values[c] = withNulls && random.Next(5) == 0 ? ColumnValue.Null : type switch
                    {
                        ColumnValueType.Float64 => ColumnValue.FromFloat64(random.NextDouble()),
                        ColumnValueType.Int64 => ColumnValue.FromInt64(random.Next()),
                        _ => ColumnValue.FromString(new string('x', random.Next(0, 60))),
                    };
                    byName[(family, name)] = values[c];
                }

                batch.AddRow(series, time, version, values);
                rows.Add(new Row(subject, series, time, version, rows.Count, byName));
            }

            batches.Add(batch);
        }

        List<MemoryPart> parts = MemoryPartBuilder.BuildAll(batches, kind, options);
        MemoryPart part = Assert.Single(parts);
        List<List<Row>> expected = ReferenceBlocks(rows, kind, options, batches);
        string context = $"seed {seed}";
        Assert.True(expected.Count == part.Blocks.Count, $"{context}: {part.Blocks.Count} blocks, expected {expected.Count}");
        Assert.Equal(expected.Sum(b => b.Count), part.Metadata.RowCount);
        for (int b = 0; b < expected.Count; b++)
        {
            Block got = part.Blocks[b];
            List<Row> want = expected[b];
            Assert.True(want[0].Series == got.SeriesId && want.Count == got.Count, $"{context}, block {b}: series/count differ");
            var subjectColumns = ColumnsOf(batches, want[0].Subject);
            Assert.True(subjectColumns.SequenceEqual(got.Columns.Select(c => (c.Family, c.Name, c.Type))), $"{context}, block {b}: columns are not those of subject '{want[0].Subject}'");
            for (int r = 0; r < want.Count; r++)
            {
                Assert.True(want[r].Time == got.Timestamps[r] && want[r].Version == got.Versions[r], $"{context}, block {b}, row {r}: keys differ");
                foreach (ColumnBuffer column in got.Columns)
                {
                    ColumnValue expectedValue = want[r].Values.GetValueOrDefault((column.Family, column.Name), ColumnValue.Null);
                    Assert.True(expectedValue.Equals(column.GetValue(r)), $"{context}, block {b}, column {column.Name}, row {r}");
                }
            }
        }

        // One batch concatenating them all (one subject) builds the same part.
        if (!twoSubjects)
        {
            WriteBatch combined = new(kind);
            foreach (WriteBatch batch in batches)
            {
                combined.AppendBatch(batch);
            }

            MemoryPart single = MemoryPart.Build(combined, options);
            Assert.Equal(part.Blocks.Count, single.Blocks.Count);
            for (int b = 0; b < part.Blocks.Count; b++)
            {
                Assert.True(part.Blocks[b].Timestamps.SequenceEqual(single.Blocks[b].Timestamps) && part.Blocks[b].Versions.SequenceEqual(single.Blocks[b].Versions), $"{context}, block {b}");
            }
        }
    }

    [Fact]
    public void Stream_rows_with_repeated_keys_keep_their_arrival_order()
    {
        WriteBatch first = new(DataKind.Stream);
        first.AddColumn("f", "t", ColumnValueType.Int64);
        first.AddRow(2, 10, 1, [ColumnValue.FromInt64(1)]);
        first.AddRow(1, 10, 2, [ColumnValue.FromInt64(2)]);
        first.AddRow(2, 10, 3, [ColumnValue.FromInt64(3)]);
        WriteBatch second = new(DataKind.Stream);
        second.AddColumn("f", "t", ColumnValueType.Int64);
        second.AddRow(2, 10, 4, [ColumnValue.FromInt64(4)]);
        second.AddRow(2, 9, 5, [ColumnValue.FromInt64(5)]);
        MemoryPart part = MemoryPartBuilder.Build([first, second], DataKind.Stream, PartWriterOptions.Default);
        Assert.Equal([1UL, 2UL], part.Blocks.Select(b => b.SeriesId).ToArray());
        Assert.Equal([5L, 1L, 3L, 4L], part.Blocks[1].Versions.ToArray());
        Assert.Equal([9L, 10L, 10L, 10L], part.Blocks[1].Timestamps.ToArray());
    }

    [Fact]
    public void A_column_changing_type_within_a_subject_splits_the_batches_into_parts_in_order()
    {
        WriteBatch a = new(DataKind.Measure, "m");
        a.AddColumn(null, "v", ColumnValueType.Int64);
        a.AddRow(1, 10, 0, [ColumnValue.FromInt64(1)]);
        WriteBatch b = new(DataKind.Measure, "m");
        b.AddColumn(null, "v", ColumnValueType.Float64);
        b.AddRow(1, 11, 0, [ColumnValue.FromFloat64(1.5)]);
        WriteBatch other = new(DataKind.Measure, "n");
        other.AddColumn(null, "v", ColumnValueType.Float64); // another subject may use the name with another type
        other.AddRow(2, 11, 0, [ColumnValue.FromFloat64(2.5)]);
        List<MemoryPart> parts = MemoryPartBuilder.BuildAll([a, other, b], DataKind.Measure, PartWriterOptions.Default);
        Assert.Equal(2, parts.Count);
        Assert.Equal(2, parts[0].Metadata.RowCount);
        Assert.Equal(1, parts[1].Metadata.RowCount);
        Assert.Equal(ColumnValueType.Float64, parts[1].Blocks[0].Columns[0].Type);
        Assert.Throws<ArgumentException>(() => MemoryPartBuilder.Build([a, b], DataKind.Measure, PartWriterOptions.Default));
    }

    [Fact]
    public void A_filter_keeps_only_rows_of_its_series_and_time_range()
    {
        WriteBatch batch = new(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        for (int i = 0; i < 30; i++)
        {
            batch.AddRow((ulong)(i % 3) + 1, 100 - i, 0, [ColumnValue.FromInt64(i)]);
        }

        MemoryPart part = MemoryPartBuilder.Build([batch], DataKind.Measure, PartWriterOptions.Default, new SeriesTimeFilter([1, 3], 80, 90));
        Assert.Equal([1UL, 3UL], part.Blocks.Select(b => b.SeriesId).ToArray());
        Assert.All(part.Blocks, b => Assert.All(b.Timestamps.ToArray(), t => Assert.InRange(t, 80, 90)));
        Assert.Equal(7, part.Metadata.RowCount); // i in 10..20 with i % 3 != 1
        MemoryPart none = MemoryPartBuilder.Build([batch], DataKind.Measure, PartWriterOptions.Default, new SeriesTimeFilter([2], 1000, 2000));
        Assert.Empty(none.Blocks);
    }

    [Theory]
    [InlineData(DataKind.Measure, false)]
    [InlineData(DataKind.Stream, false)]
    [InlineData(DataKind.Measure, true)]
    [InlineData(DataKind.Stream, true)]
    public void Columns_sorted_with_the_keys_hold_the_values_a_gather_reads(DataKind kind, bool twoSubjects)
    {
        // A seal sorts numeric columns without nulls with the keys; a read's filter gathers them
        // through the row order. Time-major batches (two writers: neighbours swapped), repeated keys
        // with versions, and float bit patterns a conversion would change: both parts must agree bit for bit.
        // With two subjects (as a shard's buffer holds its group's measures), the second has a column of its own
        // first, so the subjects' k-th sorted columns are different columns of different types.
        int seed = Environment.TickCount;
        var random = new Random(seed);
        ulong[] ids = [.. Enumerable.Range(0, 50).Select(_ => (ulong)random.NextInt64() | 1)];
        ulong[] otherIds = [.. Enumerable.Range(0, 30).Select(_ => (ulong)random.NextInt64() | 1)];
        double[] specials = [double.NaN, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234), -0.0, double.Epsilon, double.NegativeInfinity];
        var batches = new List<WriteBatch>();
        for (int b = 0; b < 40; b++)
        {
            int step = b / 2 % 2 == 1 ? b ^ 1 : b; // every other pair of neighbouring batches arrives swapped
            bool other = twoSubjects && b % 3 == 1;
            WriteBatch batch = new(kind, other ? "other" : string.Empty);
            string? family = kind == DataKind.Stream ? "values" : null;
            if (other)
            {
                batch.AddColumn(family, "own", ColumnValueType.Int64);
            }

            batch.AddColumn(family, "f", ColumnValueType.Float64);
            batch.AddColumn(family, "i", ColumnValueType.Int64);
            foreach (ulong id in other ? otherIds : ids)
            {
                long time = random.Next(8) == 0 ? random.Next(0, 40) : step; // some repeated keys
                double value = random.Next(10) == 0 ? specials[random.Next(specials.Length)] : random.NextDouble();
                ColumnValue[] row = [ColumnValue.FromFloat64(value), ColumnValue.FromInt64(random.NextInt64())];
                batch.AddRow(id, time, random.Next(0, 3), other ? [ColumnValue.FromInt64(random.NextInt64()), .. row] : row);
            }

            batches.Add(batch);
        }

        var options = new PartWriterOptions { MaxMeasureRowsPerBlock = 7, Fsync = false };
        MemoryPart sealedPart = MemoryPartBuilder.Build(batches, kind, options);
        MemoryPart gathered = MemoryPartBuilder.Build(batches, kind, options, SeriesTimeFilter.All);
        Assert.Equal(gathered.Blocks.Count, sealedPart.Blocks.Count);
        for (int b = 0; b < gathered.Blocks.Count; b++)
        {
            Block want = gathered.Blocks[b];
            Block got = sealedPart.Blocks[b];
            string context = $"seed {seed}, block {b}";
            Assert.True(want.SeriesId == got.SeriesId && want.Timestamps.SequenceEqual(got.Timestamps) && want.Versions.SequenceEqual(got.Versions), context);
            Assert.Equal(want.Columns.Count, got.Columns.Count);
            for (int c = 0; c < want.Columns.Count; c++)
            {
                Assert.True(Bits(want.Columns[c]).SequenceEqual(Bits(got.Columns[c])), $"{context}: column {want.Columns[c].Name} differs");
            }

            Assert.Equal(gathered.Headers[b].Fields.Select(f => f.Statistics), sealedPart.Headers[b].Fields.Select(f => f.Statistics));
        }
    }

    private static long[] Bits(ColumnBuffer column) =>
        column.Type == ColumnValueType.Float64 ? [.. column.Float64Values.ToArray().Select(BitConverter.DoubleToInt64Bits)] : column.Int64Values.ToArray();

    private static List<(string?, string, ColumnValueType)> ColumnsOf(List<WriteBatch> batches, string subject)
    {
        var columns = new List<(string?, string, ColumnValueType)>();
        foreach (WriteBatch batch in batches.Where(b => b.Subject == subject))
        {
            foreach (ColumnBuffer column in batch.Columns)
            {
                if (!columns.Any(c => c.Item1 == column.Family && c.Item2 == column.Name))
                {
                    columns.Add((column.Family, column.Name, column.Type));
                }
            }
        }

        return columns;
    }

    // The documented rule, written plainly: sort, deduplicate, then a new block at a series change,
    // at the row limit, or once the block's uncompressed size has reached the size limit.
    private static List<List<Row>> ReferenceBlocks(List<Row> rows, DataKind kind, PartWriterOptions options, List<WriteBatch> batches)
    {
        IEnumerable<Row> kept = kind == DataKind.Measure
            ? rows.GroupBy(r => (r.Series, r.Time)).Select(g => g.OrderByDescending(r => r.Version).ThenByDescending(r => r.Arrival).First())
            : rows;
        List<Row> sorted = [.. kept.OrderBy(r => r.Series).ThenBy(r => r.Time).ThenBy(r => r.Arrival)];
        var blocks = new List<List<Row>>();
        List<Row>? current = null;
        long bytes = 0;
        int maxRows = options.MaxRowsPerBlock(kind);
        foreach (Row row in sorted)
        {
            if (current is null || current[0].Series != row.Series || current.Count >= maxRows || bytes >= options.MaxBlockBytes)
            {
                current = [];
                blocks.Add(current);
                bytes = 0;
            }

            current.Add(row);
            bytes += 16;
            foreach ((string? family, string name, ColumnValueType type) in ColumnsOf(batches, row.Subject))
            {
                ColumnValue value = row.Values.GetValueOrDefault((family, name), ColumnValue.Null);
                bytes += ColumnValueTypes.IsBytes(type) ? 4 + (value.Reference is string text ? System.Text.Encoding.UTF8.GetByteCount(text) : 0) : 8;
            }
        }

        return blocks;
    }
}
