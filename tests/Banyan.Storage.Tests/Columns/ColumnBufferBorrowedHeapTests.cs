using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Columns;

/// <summary>
/// Rows appended with <see cref="ColumnBuffer.AppendSharedBytes"/> point into the caller's array instead of a copy: they
/// read back, count, encode and travel in batches exactly as copied rows do, and the column never writes into that array
/// (every append that writes bytes, a reset, a reservation first gives the column a heap of its own).
/// </summary>
public class ColumnBufferBorrowedHeapTests
{
    [Theory]
    [InlineData(ColumnValueType.String, 1)]
    [InlineData(ColumnValueType.Binary, 2)]
    [InlineData(ColumnValueType.String, 3)]
    public void Borrowed_rows_read_back_count_and_encode_as_copied_rows(ColumnValueType type, int seed)
    {
        Random random = new(seed);
        for (int round = 0; round < 100; round++)
        {
            (byte[] arena, List<(int Start, int Length)> values) = Arena(random);
            byte[] before = [.. arena];
            ColumnBuffer borrowed = new("default", "tag", type);
            ColumnBuffer copied = new("default", "tag", type);
            List<byte[]?> expected = [];
            int rows = random.Next(1, 200);
            for (int i = 0; i < rows; i++)
            {
                AppendRandomRow(random, arena, values, borrowed, copied, expected, mixOwnBytes: false);
            }

            AssertSameRows(expected, borrowed);
            Assert.Equal(copied.UncompressedSize, borrowed.UncompressedSize);
            Assert.Equal(copied.HeapLength, borrowed.HeapLength);
            AssertSameEncoding(copied, borrowed);
            Assert.Equal(before, arena);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Appends_that_write_bytes_copy_the_borrowed_rows_first_and_never_write_into_the_source(int seed)
    {
        Random random = new(seed);
        for (int round = 0; round < 100; round++)
        {
            (byte[] arena, List<(int Start, int Length)> values) = Arena(random);
            byte[] before = [.. arena];
            ColumnBuffer borrowed = new("default", "tag", ColumnValueType.String);
            ColumnBuffer copied = new("default", "tag", ColumnValueType.String);
            List<byte[]?> expected = [];
            int rows = random.Next(1, 200);
            for (int i = 0; i < rows; i++)
            {
                AppendRandomRow(random, arena, values, borrowed, copied, expected, mixOwnBytes: true);
            }

            AssertSameRows(expected, borrowed);
            Assert.Equal(copied.UncompressedSize, borrowed.UncompressedSize);
            AssertSameEncoding(copied, borrowed);
            Assert.Equal(before, arena);
        }
    }

    [Fact]
    public void A_row_after_a_null_is_not_taken_for_a_repeat_of_the_row_before_the_null()
    {
        byte[] arena = "abcdef"u8.ToArray();
        ColumnBuffer column = new("default", "tag", ColumnValueType.String);
        column.AppendSharedBytes(arena, 0, 3);
        column.AppendNull();
        column.AppendSharedBytes(arena, 0, 3);
        column.AppendSharedBytes(arena, 3, 3);
        column.AppendBytes("xy"u8); // the column takes a heap of its own here

        Assert.Equal(["abc", null, "abc", "def", "xy"], Enumerable.Range(0, column.Count).Select(column.GetString));
        Assert.Equal("abcdef"u8.ToArray(), arena);
    }

    [Fact]
    public void A_reset_column_does_not_write_into_the_array_it_borrowed()
    {
        byte[] arena = "abcdef"u8.ToArray();
        ColumnBuffer column = new("default", "tag", ColumnValueType.String);
        column.AppendSharedBytes(arena, 0, 6);
        column.Reset();
        column.AppendBytes("zzzzzz"u8);

        Assert.Equal("abcdef"u8.ToArray(), arena);
        Assert.Equal("zzzzzz", column.GetString(0));
        Assert.Equal(6, column.HeapLength);
    }

    [Fact]
    public void Rows_of_a_second_array_are_copied_and_every_row_keeps_its_value()
    {
        byte[] first = "first-value"u8.ToArray();
        byte[] second = "second-value"u8.ToArray();
        ColumnBuffer column = new("default", "tag", ColumnValueType.String);
        column.AppendSharedBytes(first, 0, 5);
        column.AppendSharedBytes(second, 0, 6);
        column.AppendSharedBytes(first, 6, 5);

        Assert.Equal(["first", "second", "value"], Enumerable.Range(0, column.Count).Select(column.GetString));
        Assert.Equal(16, column.HeapLength);
        Assert.Equal("first-value"u8.ToArray(), first);
        Assert.Equal("second-value"u8.ToArray(), second);
    }

    [Fact]
    public void A_range_outside_the_source_or_a_numeric_column_is_refused()
    {
        ColumnBuffer column = new("default", "tag", ColumnValueType.String);
        Assert.Throws<ArgumentOutOfRangeException>(() => column.AppendSharedBytes(new byte[4], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => column.AppendSharedBytes(new byte[4], 5, 0));
        Assert.Throws<InvalidOperationException>(() => new ColumnBuffer(null, "value", ColumnValueType.Int64).AppendSharedBytes(new byte[4], 0, 1));
        Assert.Equal(0, column.Count);
    }

    [Fact]
    public void Batches_with_borrowed_columns_round_trip_through_the_codec_and_concatenate_exactly()
    {
        byte[] arena = "service-aservice-binstance-1"u8.ToArray();
        WriteBatch a = Batch(arena, [(0, 9), (9, 9), (0, 9)], 1);
        WriteBatch b = Batch(arena, [(18, 10), (9, 9)], 4);

        WriteBatch decoded = WriteBatchCodec.Decode(WriteBatchCodec.Encode(a));
        Assert.Equal(["service-a", "service-b", "service-a"], Enumerable.Range(0, decoded.Count).Select(decoded.Columns[0].GetString));

        // Both borrow one array: the joined batch points into it too, nothing copied.
        WriteBatch joined = WriteBatch.Concatenate([a, b]);
        ColumnBuffer tags = joined.Columns[0];
        Assert.Equal(["service-a", "service-b", "service-a", "instance-1", "service-b"], Enumerable.Range(0, joined.Count).Select(tags.GetString));
        Assert.Same(arena, tags.BorrowedHeap);
        Assert.Equal(a.Columns[0].HeapLength + b.Columns[0].HeapLength, tags.HeapLength);

        // One borrows, one owns its bytes: the joined column copies both into a heap reserved at its exact size.
        WriteBatch owned = new(DataKind.Measure);
        owned.AddColumn("default", "service", ColumnValueType.String);
        owned.AppendKeys(9, [9], 0);
        owned.Columns[0].AppendString("own");
        WriteBatch mixed = WriteBatch.Concatenate([a, owned]);
        Assert.Null(mixed.Columns[0].BorrowedHeap);
        Assert.Equal(["service-a", "service-b", "service-a", "own"], Enumerable.Range(0, mixed.Count).Select(mixed.Columns[0].GetString));
        Assert.Equal(a.Columns[0].HeapLength + 3, mixed.Columns[0].HeapCapacity);
        Assert.Equal("service-aservice-binstance-1"u8.ToArray(), arena);
    }

    [Fact]
    public void Rows_copied_from_a_borrowing_column_borrow_the_same_array_unless_bytes_were_reserved()
    {
        byte[] arena = "abcdef"u8.ToArray();
        ColumnBuffer source = new("default", "tag", ColumnValueType.String);
        source.AppendSharedBytes(arena, 0, 3);
        source.AppendSharedBytes(arena, 3, 3);
        source.AppendSharedBytes(arena, 3, 3);

        ColumnBuffer rowByRow = new("default", "tag", ColumnValueType.String);
        for (int row = 0; row < source.Count; row++)
        {
            rowByRow.AppendFrom(source, row);
        }

        ColumnBuffer range = new("default", "tag", ColumnValueType.String);
        range.AppendRange(source, 0, source.Count);

        ColumnBuffer reserved = new("default", "tag", ColumnValueType.String);
        reserved.ReserveBytes(9);
        reserved.AppendRange(source, 0, source.Count);

        foreach (ColumnBuffer column in new[] { rowByRow, range, reserved })
        {
            Assert.Equal(["abc", "def", "def"], Enumerable.Range(0, column.Count).Select(column.GetString));
            Assert.Equal(source.UncompressedSize, column.UncompressedSize);
        }

        Assert.Same(arena, rowByRow.BorrowedHeap);
        Assert.Same(arena, range.BorrowedHeap);
        Assert.Null(reserved.BorrowedHeap);
        Assert.Equal(6, reserved.HeapLength); // the repeated row shares the bytes before it
    }

    private static WriteBatch Batch(byte[] arena, (int Start, int Length)[] rows, long firstTimestamp)
    {
        WriteBatch batch = new(DataKind.Measure);
        int column = batch.AddColumn("default", "service", ColumnValueType.String);
        for (int i = 0; i < rows.Length; i++)
        {
            batch.AppendKeys((ulong)(i + 1), [firstTimestamp + i], 0);
            batch.Columns[column].AppendSharedBytes(arena, rows[i].Start, rows[i].Length);
        }

        return batch;
    }

    // An array of values laid end to end, as the write planner's series arena holds entity tags.
    private static (byte[] Arena, List<(int Start, int Length)> Values) Arena(Random random)
    {
        List<(int, int)> values = [];
        List<byte> bytes = [];
        for (int i = random.Next(1, 12); i > 0; i--)
        {
            int length = random.Next(0, 20);
            values.Add((bytes.Count, length));
            for (int b = 0; b < length; b++)
            {
                bytes.Add((byte)random.Next('a', 'e'));
            }
        }

        return ([.. bytes], values);
    }

    // One row to both columns: a borrowed value (often the same as the row before, as a series' rows run), a null, or
    // (with mixOwnBytes) bytes of the column's own or a value of another array.
    private static void AppendRandomRow(Random random, byte[] arena, List<(int Start, int Length)> values, ColumnBuffer borrowed, ColumnBuffer copied, List<byte[]?> expected, bool mixOwnBytes)
    {
        int kind = random.Next(mixOwnBytes ? 12 : 10);
        if (kind == 0)
        {
            borrowed.AppendNull();
            copied.AppendNull();
            expected.Add(null);
            return;
        }

        if (kind >= 10)
        {
            byte[] own = [.. Enumerable.Range(0, random.Next(0, 9)).Select(_ => (byte)random.Next('x', 'z'))];
            if (kind == 10)
            {
                borrowed.AppendBytes(own);
            }
            else
            {
                borrowed.AppendSharedBytes([(byte)'#', .. own], 1, own.Length); // another array than the arena
            }

            copied.AppendBytes(own);
            expected.Add(own);
            return;
        }

        (int start, int length) = values[random.Next(values.Count)];
        borrowed.AppendSharedBytes(arena, start, length);
        copied.AppendBytes(arena.AsSpan(start, length));
        expected.Add(arena.AsSpan(start, length).ToArray());
    }

    private static void AssertSameRows(List<byte[]?> expected, ColumnBuffer column)
    {
        Assert.Equal(expected.Count, column.Count);
        for (int row = 0; row < expected.Count; row++)
        {
            Assert.Equal(expected[row] is null, column.IsNull(row));
            Assert.Equal(expected[row] ?? [], column.GetBytes(row).ToArray());
        }
    }

    private static void AssertSameEncoding(ColumnBuffer expected, ColumnBuffer actual)
    {
        using ByteBuffer a = new();
        using ByteBuffer b = new();
        Assert.Equal(ColumnCodec.Encode(expected, a), ColumnCodec.Encode(actual, b));
        Assert.Equal(a.ToArray(), b.ToArray());
    }
}
