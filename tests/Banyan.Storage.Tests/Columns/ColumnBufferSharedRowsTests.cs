using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Columns;

/// <summary>
/// Rows copied from another column (<see cref="ColumnBuffer.AppendFrom"/>) whose value repeats the row before share that
/// row's bytes: every row reads back its own value, the column counts the bytes as if each row had its copy
/// (<see cref="ColumnBuffer.UncompressedSize"/>, which cuts blocks), and it encodes to the same bytes.
/// </summary>
public class ColumnBufferSharedRowsTests
{
    [Theory]
    [InlineData(ColumnValueType.String)]
    [InlineData(ColumnValueType.Binary)]
    public void Repeated_values_copied_row_by_row_read_back_count_and_encode_as_copies(ColumnValueType type)
    {
        var random = new Random(3);
        for (int round = 0; round < 200; round++)
        {
            // Runs of one value (a series' tags in its block), with nulls, empty values and changes between them.
            ColumnBuffer source = new("default", "tag", type);
            var values = new List<byte[]?>();
            while (values.Count < 100)
            {
                byte[]? value = random.Next(8) switch
                {
                    0 => null,
                    1 => [],
                    _ => [.. Enumerable.Range(0, random.Next(1, 30)).Select(_ => (byte)random.Next(3))],
                };
                for (int i = random.Next(1, 12); i > 0; i--)
                {
                    values.Add(value);
                    if (value is null)
                    {
                        source.AppendNull();
                    }
                    else
                    {
                        source.AppendBytes(value);
                    }
                }
            }

            ColumnBuffer copied = new("default", "tag", type);
            ColumnBuffer plain = new("default", "tag", type);
            int first = random.Next(values.Count);
            for (int row = first; row < values.Count; row++)
            {
                copied.AppendFrom(source, row);
                if (values[row] is { } bytes)
                {
                    plain.AppendBytes(bytes);
                }
                else
                {
                    plain.AppendNull();
                }
            }

            for (int row = first; row < values.Count; row++)
            {
                Assert.Equal(values[row] is null, copied.IsNull(row - first));
                Assert.Equal(values[row] ?? [], copied.GetBytes(row - first).ToArray());
            }

            Assert.Equal(plain.UncompressedSize, copied.UncompressedSize);
            Assert.True(copied.HeapLength <= plain.HeapLength);
            using ByteBuffer a = new();
            using ByteBuffer b = new();
            Assert.Equal(ColumnCodec.Encode(plain, a), ColumnCodec.Encode(copied, b));
            Assert.Equal(a.ToArray(), b.ToArray());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rows_that_share_bytes_are_copied_by_range_sharing_them(bool decoded)
    {
        // A merge copies runs of a block's rows (AppendRange) from blocks whose repeated values share bytes: a sealed
        // memory part's (AppendFrom) or a decoded part's (dictionary entries). Equal lengths with other bytes are
        // common in the values below, so a row taken for shared by its length alone would read back wrong.
        var random = new Random(5);
        for (int round = 0; round < 200; round++)
        {
            List<byte[]?> values = RandomRuns(random, 100);
            ColumnBuffer source = SharingColumn(values, decoded);
            int start = random.Next(values.Count);
            int count = random.Next(values.Count - start + 1);
            ColumnBuffer target = new("default", "tag", ColumnValueType.String);
            target.AppendString("before");
            target.AppendRange(source, start, count);
            ColumnBuffer plain = new("default", "tag", ColumnValueType.String);
            plain.AppendString("before");
            for (int row = start; row < start + count; row++)
            {
                Assert.Equal(values[row] is null, target.IsNull(row - start + 1));
                Assert.Equal(values[row] ?? [], target.GetBytes(row - start + 1).ToArray());
                if (values[row] is { } bytes)
                {
                    plain.AppendBytes(bytes);
                }
                else
                {
                    plain.AppendNull();
                }
            }

            Assert.Equal(plain.UncompressedSize, target.UncompressedSize);
            Assert.Equal(DistinctRunBytes(values, start, count) + "before".Length, target.HeapLength);
            using ByteBuffer a = new();
            using ByteBuffer b = new();
            Assert.Equal(ColumnCodec.Encode(plain, a), ColumnCodec.Encode(target, b));
            Assert.Equal(a.ToArray(), b.ToArray());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_range_within_one_run_is_one_value_shared_by_its_rows(bool decoded)
    {
        // The common merge case: a block's entity tag, every row the series' value. Ranges inside a run (a whole run,
        // or part of one) and ranges one row past it, which must not be taken for one value.
        var random = new Random(11);
        for (int round = 0; round < 300; round++)
        {
            List<byte[]?> values = RandomRuns(random, 60);
            ColumnBuffer source = SharingColumn(values, decoded);
            int row = random.Next(values.Count);
            int first = row;
            int end = row + 1;
            while (first > 0 && SameValue(values[first - 1], values[row]))
            {
                first--;
            }

            while (end < values.Count && SameValue(values[end], values[row]))
            {
                end++;
            }

            int start = random.Next(first, end);
            int count = Math.Min(values.Count - start, end - start + (random.Next(4) == 0 ? 1 : 0));
            ColumnBuffer target = new("default", "tag", ColumnValueType.String);
            target.AppendString("before");
            target.AppendRange(source, start, count);
            ColumnBuffer plain = new("default", "tag", ColumnValueType.String);
            plain.AppendString("before");
            for (int r = start; r < start + count; r++)
            {
                plain.AppendFrom(source, r);
                Assert.Equal(values[r] is null, target.IsNull(r - start + 1));
                Assert.Equal(values[r] ?? [], target.GetBytes(r - start + 1).ToArray());
            }

            Assert.Equal(plain.UncompressedSize, target.UncompressedSize);
            Assert.Equal(DistinctRunBytes(values, start, count) + "before".Length, target.HeapLength);
        }
    }

    private static bool SameValue(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    // A column of the values whose repeated values share bytes: appended as a seal appends them, or decoded.
    private static ColumnBuffer SharingColumn(List<byte[]?> values, bool decoded)
    {
        ColumnBuffer written = new("default", "tag", ColumnValueType.String);
        ColumnBuffer source = new("default", "tag", ColumnValueType.String);
        foreach (byte[]? value in values)
        {
            if (value is null)
            {
                written.AppendNull();
            }
            else
            {
                written.AppendBytes(value);
            }

            source.AppendFrom(written, written.Count - 1);
        }

        if (!decoded)
        {
            return source;
        }

        using ByteBuffer encoded = new();
        ColumnCodec.Encode(source, encoded);
        ColumnBuffer decodedColumn = new("default", "tag", ColumnValueType.String);
        ColumnCodec.Decode(encoded.ToArray(), values.Count, ColumnValueType.String, decodedColumn, new DecodeScratch());
        return decodedColumn;
    }

    // Runs of one value, as a series' tags in its block; nulls, empty values and values of equal length between them.
    private static List<byte[]?> RandomRuns(Random random, int count)
    {
        var values = new List<byte[]?>();
        while (values.Count < count)
        {
            byte[]? value = random.Next(8) switch
            {
                0 => null,
                1 => [],
                _ => [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => (byte)random.Next(2))],
            };
            for (int i = random.Next(1, 12); i > 0 && values.Count < count; i--)
            {
                values.Add(value);
            }
        }

        return values;
    }

    // Bytes a column holding rows start..start+count stores when each run of one value keeps a single copy.
    private static int DistinctRunBytes(List<byte[]?> values, int start, int count)
    {
        int bytes = 0;
        for (int row = start; row < start + count; row++)
        {
            bool repeats = row > start && values[row] is { Length: > 0 } v && values[row - 1] is { } before && v.AsSpan().SequenceEqual(before);
            bytes += repeats ? 0 : values[row]?.Length ?? 0;
        }

        return bytes;
    }

    [Fact]
    public void A_series_tag_in_every_row_of_a_block_is_stored_once()
    {
        ColumnBuffer source = new("default", "service_id", ColumnValueType.String);
        source.AppendString("service-0001");
        ColumnBuffer block = new("default", "service_id", ColumnValueType.String);
        for (int i = 0; i < 360; i++)
        {
            block.AppendFrom(source, 0);
        }

        Assert.Equal("service-0001".Length, block.HeapLength);
        Assert.Equal((360L * "service-0001".Length) + (4L * 360), block.UncompressedSize);
        Assert.All(Enumerable.Range(0, 360), i => Assert.Equal("service-0001", block.GetString(i)));

        block.Reset();
        block.AppendFrom(source, 0);
        Assert.Equal("service-0001".Length + 4L, block.UncompressedSize); // Reset forgets the shared bytes too
    }
}
