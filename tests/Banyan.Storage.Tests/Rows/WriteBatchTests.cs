using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Tests.Parts;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Rows;

public sealed class WriteBatchTests
{
    private static WriteBatch Tagged(long timestamp, params string?[] tags)
    {
        WriteBatch batch = new(DataKind.Measure, "m");
        batch.AddColumn("default", "service", ColumnValueType.String);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        for (int i = 0; i < tags.Length; i++)
        {
            batch.AddRow(1, timestamp + i, 1, [tags[i] is null ? ColumnValue.Null : ColumnValue.FromString(tags[i]!), ColumnValue.FromInt64(timestamp + i)]);
        }

        return batch;
    }

    [Fact]
    public void Concatenated_batches_keep_every_row_in_order_in_heaps_allocated_at_their_size()
    {
        WriteBatch withoutTag = new(DataKind.Measure, "m");
        withoutTag.AddColumn(null, "v", ColumnValueType.Int64);
        withoutTag.AddColumn(null, "f", ColumnValueType.Float64);
        withoutTag.AddRow(1, 20, 1, [ColumnValue.FromInt64(20), ColumnValue.FromFloat64(0.5)]);
        string longer = new('x', 700);

        // Short values first, then longer ones: a heap grown on the way would be regrown (and larger than its bytes).
        WriteBatch joined = WriteBatch.Concatenate([Tagged(10, "a", "bc", null), withoutTag, Tagged(30, longer, "d")]);

        joined.Validate();
        Assert.Equal([10L, 11, 12, 20, 30, 31], joined.Timestamps.ToArray());
        ColumnBuffer service = joined.Columns[joined.FindColumn("default", "service")];
        Assert.Equal(["a", "bc", null, null, longer, "d"], Enumerable.Range(0, joined.Count).Select(service.GetString));
        Assert.Equal(3 + 700 + 1, service.HeapCapacity);
        ColumnBuffer f = joined.Columns[joined.FindColumn(null, "f")];
        Assert.Equal([true, true, true, false, true, true], Enumerable.Range(0, joined.Count).Select(f.IsNull));
        Assert.Equal([10L, 11, 12, 20, 30, 31], Enumerable.Range(0, joined.Count).Select(joined.Columns[joined.FindColumn(null, "v")].GetInt64));
    }

    [Fact]
    public void Batches_that_cannot_be_concatenated_are_refused()
    {
        WriteBatch asDouble = new(DataKind.Measure, "m");
        asDouble.AddColumn(null, "v", ColumnValueType.Float64);
        asDouble.AddRow(1, 1, 1, [ColumnValue.FromFloat64(1)]);
        Assert.Throws<ArgumentException>(() => WriteBatch.Concatenate([Tagged(1, "a"), asDouble]));
        Assert.Throws<ArgumentException>(() => WriteBatch.Concatenate([Tagged(1, "a"), new WriteBatch(DataKind.Measure, "other")]));
        Assert.Throws<ArgumentException>(() => WriteBatch.Concatenate([Tagged(1, "a"), new WriteBatch(DataKind.Stream, "m")]));
        Assert.Throws<ArgumentException>(() => WriteBatch.Concatenate([]));
    }

    [Fact]
    public void A_reserved_batch_takes_rows_beyond_its_reservation_and_keeps_every_value()
    {
        WriteBatch batch = new(DataKind.Measure, "m");
        batch.AddColumn("default", "tag", ColumnValueType.String);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        batch.Reserve(3);
        for (int i = 0; i < 5; i++)
        {
            batch.AddRow((ulong)i, i * 10L, 1, [ColumnValue.FromString("t" + i), ColumnValue.FromInt64(i)]);
        }

        batch.Validate();
        Assert.Equal(5, batch.Count);
        Assert.Equal([0L, 10, 20, 30, 40], batch.Timestamps.ToArray());
        Assert.Equal("t4", batch.Columns[0].GetString(4));
        Assert.Equal(3, batch.Columns[1].GetInt64(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Reserve(-1));
    }

    [Fact]
    public void Appending_batches_equals_building_from_all_rows()
    {
        var rows = new RandomRows(77, DataKind.Measure, maxRows: 600);
        int half = rows.Rows.Count / 2;
        WriteBatch first = rows.ToBatch(rows.Rows.Take(half).ToList(), columnar: true);
        WriteBatch second = rows.ToBatch(rows.Rows.Skip(half).ToList(), columnar: false);
        first.AppendBatch(second);
        using MemoryPart part = MemoryPart.Build(first);
        RandomRows.AssertSame(RandomRows.Expected(DataKind.Measure, [rows.Rows]), rows.ReadAll(part), "appended batches");
    }

    [Fact]
    public void Appending_fills_missing_columns_with_nulls_and_rejects_type_conflicts()
    {
        var a = new WriteBatch(DataKind.Stream);
        a.AddColumn("t", "x", ColumnValueType.Int64);
        a.AddRow(1, 1, 1, [ColumnValue.FromInt64(5)]);
        var b = new WriteBatch(DataKind.Stream);
        b.AddColumn("t", "y", ColumnValueType.String);
        b.AddRow(1, 2, 2, [ColumnValue.FromString("s")]);
        a.AppendBatch(b);
        Assert.Equal(2, a.Count);
        Assert.Equal([ColumnValue.FromInt64(5), ColumnValue.Null], [a.Columns[0].GetValue(0), a.Columns[0].GetValue(1)]);
        Assert.Equal([ColumnValue.Null, ColumnValue.FromString("s")], [a.Columns[1].GetValue(0), a.Columns[1].GetValue(1)]);

        var c = new WriteBatch(DataKind.Stream);
        c.AddColumn("t", "x", ColumnValueType.String);
        ArgumentException e = Assert.Throws<ArgumentException>(() => a.AppendBatch(c));
        Assert.Contains("'t.x'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => a.AppendBatch(new WriteBatch(DataKind.Measure)));
    }

    [Fact]
    public void TryAppend_reports_a_type_conflict_and_leaves_the_batch_unchanged()
    {
        var a = new WriteBatch(DataKind.Stream);
        a.AddColumn("t", "x", ColumnValueType.Int64);
        a.AddRow(1, 1, 1, [ColumnValue.FromInt64(5)]);
        var c = new WriteBatch(DataKind.Stream);
        c.AddColumn("t", "x", ColumnValueType.String);
        c.AddColumn("t", "z", ColumnValueType.Int64);
        c.AddRow(2, 2, 2, [ColumnValue.FromString("s"), ColumnValue.FromInt64(1)]);

        Assert.False(a.TryAppendBatch(c));
        Assert.Equal(1, a.Count);
        Assert.Single(a.Columns);
        Assert.Equal(ColumnValue.FromInt64(5), a.Columns[0].GetValue(0));

        var d = new WriteBatch(DataKind.Stream);
        d.AddColumn("t", "x", ColumnValueType.Int64);
        d.AddRow(3, 3, 3, [ColumnValue.FromInt64(7)]);
        Assert.True(a.TryAppendBatch(d));
        Assert.Equal(2, a.Count);
        Assert.Equal(ColumnValue.FromInt64(7), a.Columns[0].GetValue(1));
    }

    [Fact]
    public void Milliseconds_convert_to_nanoseconds_with_overflow_checks()
    {
        Assert.Equal(1_704_067_200_000_000_000L, Timestamps.FromUnixMilliseconds(1_704_067_200_000));
        Assert.Equal(-1_000_000L, Timestamps.FromUnixMilliseconds(-1));
        Assert.Equal(-1L, Timestamps.ToUnixMilliseconds(-1));
        Assert.Equal(1_704_067_200_000L, Timestamps.ToUnixMilliseconds(1_704_067_200_000_999_999));
        Assert.Throws<ArgumentOutOfRangeException>(() => Timestamps.FromUnixMilliseconds(long.MaxValue / 1000));
    }

    [Fact]
    public void Headers_are_only_accepted_by_the_part_that_produced_them()
    {
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        batch.AddRow(1, 1, 1, [ColumnValue.FromInt64(1)]);
        using MemoryPart a = MemoryPart.Build(batch);
        using MemoryPart b = MemoryPart.Build(batch);
        Assert.Throws<ArgumentException>(() => b.ReadBlock(a.Headers[0], ColumnProjection.All, new Block(), new Banyan.Storage.Encodings.DecodeScratch()));
    }
}
