using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Tests.Parts;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Encodings;

public sealed class ColumnCodecTests
{
    [Fact]
    public void Int_column_with_nulls_pinned_bytes()
    {
        var column = new ColumnBuffer(null, "v", ColumnValueType.Int64);
        column.AppendInt64(7);
        column.AppendNull();
        column.AppendInt64(9);
        // flags 01, bitmap 0b010, then [7, 9] as delta-const (zigzag 14, 4).
        AssertPinned(column, "0102020E04");
    }

    [Fact]
    public void String_column_plain_and_dictionary_pinned_bytes()
    {
        var plain = new ColumnBuffer("t", "s", ColumnValueType.String);
        foreach (string? s in new[] { "a", "b", "a", "a", null })
        {
            plain.AppendString(s);
        }

        // Dictionary would be 11 bytes, plain is 10: mode 00, then (length+1, bytes) per row, 00 for null.
        AssertPinned(plain, "00026102620261026100");

        var dictionary = new ColumnBuffer("t", "s", ColumnValueType.String);
        for (int i = 0; i < 4; i++)
        {
            dictionary.AppendString("service-a");
        }

        // mode 01, 1 entry of 9 bytes, then index 1 per row.
        AssertPinned(dictionary, "0101097365727669636" + "52D6101010101");
    }

    [Fact]
    public void Constant_string_column_pinned_bytes_in_part_format_3()
    {
        var constant = new ColumnBuffer("t", "s", ColumnValueType.String);
        for (int i = 0; i < 4; i++)
        {
            constant.AppendString("service-a");
        }

        // mode 02, length 9, the value once: 11 bytes where the dictionary (format 2) takes 16.
        AssertPinned(constant, "0209" + "736572766963652D61", formatVersion: 3);
        AssertPinned(constant, "0101097365727669636" + "52D6101010101", formatVersion: 2);

        // Empty values are constant too; a null row, another value, or a single row is not.
        var empty = new ColumnBuffer("t", "s", ColumnValueType.String);
        empty.AppendString(string.Empty);
        empty.AppendString(string.Empty);
        AssertPinned(empty, "0200", formatVersion: 3);
        var withNull = new ColumnBuffer("t", "s", ColumnValueType.String);
        withNull.AppendString("a");
        withNull.AppendString(null);
        AssertPinned(withNull, "00026100", formatVersion: 3);
        var other = new ColumnBuffer("t", "s", ColumnValueType.String);
        other.AppendString("ab");
        other.AppendString("ab");
        other.AppendString("ac");
        Assert.NotEqual(ColumnCodec.BytesConstant, Encode(other, 3).Encoding);
        var single = new ColumnBuffer("t", "s", ColumnValueType.String);
        single.AppendString("a");
        AssertPinned(single, "000261", formatVersion: 3);

        // Rows that repeat the row before (sharing its bytes) are constant without a comparison.
        var shared = new ColumnBuffer("t", "s", ColumnValueType.Binary);
        shared.AppendBytes([1, 2, 3]);
        shared.AppendLastRowAgain();
        shared.AppendLastRowAgain();
        AssertPinned(shared, "0203010203", formatVersion: 3);
    }

    [Fact]
    public void Constant_payloads_that_are_cut_or_run_on_are_corrupt()
    {
        var scratch = new DecodeScratch();
        foreach (string hex in new[] { "02", "0205616263", "020361626364", "0203" })
        {
            var destination = new ColumnBuffer("f", "c", ColumnValueType.String);
            Assert.Throws<StorageCorruptionException>(() => ColumnCodec.Decode(Convert.FromHexString(hex), 4, ColumnValueType.String, destination, scratch));
        }

        // A constant string array is parsed when decoded, like any other.
        var array = new ColumnBuffer("f", "c", ColumnValueType.StringArray);
        Assert.Throws<StorageCorruptionException>(() => ColumnCodec.Decode(Convert.FromHexString("0202" + "05" + "61"), 3, ColumnValueType.StringArray, array, scratch));
    }

    [Fact]
    public void Arrays_pinned_bytes()
    {
        var strings = new ColumnBuffer("t", "a", ColumnValueType.StringArray);
        strings.AppendStringArray(["x", ""]);
        strings.AppendStringArray(null);
        // plain: row 0 is 4 bytes (count 2, "x", ""), so 05 02 01 78 00; row 1 null.
        AssertPinned(strings, "00050201780000");

        var longs = new ColumnBuffer("t", "a", ColumnValueType.Int64Array);
        longs.AppendInt64Array([-1, 2]);
        // plain: row 0 is 3 bytes: count 2, zigzag(-1)=1, zigzag(2)=4.
        AssertPinned(longs, "0004020104");
    }

    [Fact]
    public void Random_columns_round_trip()
    {
        ColumnValueType[] types = [ColumnValueType.Int64, ColumnValueType.Float64, ColumnValueType.String, ColumnValueType.Binary,
            ColumnValueType.StringArray, ColumnValueType.Int64Array, ColumnValueType.Timestamp];
        var scratch = new DecodeScratch();
        for (int seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            ColumnValueType type = types[seed % types.Length];
            ColumnBuffer column = NextColumn(random, type);
            foreach (uint format in new uint[] { 1, 2, 3 })
            {
                using var buffer = new ByteBuffer();
                byte encoding = ColumnCodec.EncodeForPart(column, buffer, format);
                Assert.True(encoding <= (ColumnValueTypes.IsBytes(type) ? ColumnCodec.HighestBytesMode(format) : byte.MaxValue), $"seed {seed} format {format}: encoding {encoding}");
                var decoded = new ColumnBuffer("f", "c", type);
                Assert.Equal(encoding, ColumnCodec.Decode(buffer.WrittenSpan, column.Count, type, decoded, scratch));
                Assert.Equal(column.Count, decoded.Count);
                for (int i = 0; i < column.Count; i++)
                {
                    Assert.True(column.GetValue(i) == decoded.GetValue(i), $"seed {seed} {type} format {format} row {i}: {column.GetValue(i)} vs {decoded.GetValue(i)}");
                }
            }
        }
    }

    [Fact]
    public void Random_and_truncated_bytes_only_raise_the_corruption_exception()
    {
        ColumnValueType[] types = [ColumnValueType.Int64, ColumnValueType.Float64, ColumnValueType.String, ColumnValueType.Binary,
            ColumnValueType.StringArray, ColumnValueType.Int64Array];
        var random = new Random(5);
        var scratch = new DecodeScratch();
        for (int i = 0; i < 4000; i++)
        {
            ColumnValueType type = types[random.Next(types.Length)];
            int rows;
            byte[] data;
            if (i % 2 == 0)
            {
                rows = random.Next(0, 40);
                data = new byte[random.Next(0, 80)];
                random.NextBytes(data);
                if (data.Length > 0)
                {
                    data[0] = (byte)random.Next(0, 3);
                }
            }
            else
            {
                ColumnBuffer column = NextColumn(random, type);
                using var buffer = new ByteBuffer();
                ColumnCodec.Encode(column, buffer);
                data = buffer.WrittenSpan[..random.Next(0, buffer.Length)].ToArray();
                rows = column.Count;
            }

            var destination = new ColumnBuffer("f", "c", type);
            try
            {
                ColumnCodec.Decode(data, rows, type, destination, scratch);
                for (int r = 0; r < destination.Count; r++)
                {
                    _ = destination.GetValue(r);
                }
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }

    internal static ColumnBuffer NextColumn(Random random, ColumnValueType type)
    {
        var column = new ColumnBuffer("f", "c", type);
        int n = random.Next(0, 200);
        int shape = random.Next(3);
        bool fewDistinct = shape != 0;
        bool constant = shape == 2; // every row the first row's value, no nulls (format 3's constant byte columns)
        for (int i = 0; i < n; i++)
        {
            if (constant && i > 0)
            {
                column.AppendFrom(column, 0);
                continue;
            }

            if (!constant && random.Next(8) == 0)
            {
                column.AppendNull();
                continue;
            }

            switch (type)
            {
                case ColumnValueType.Int64:
                case ColumnValueType.Timestamp:
                    column.AppendInt64(fewDistinct ? random.Next(3) : random.NextInt64(long.MinValue, long.MaxValue));
                    break;
                case ColumnValueType.Float64:
                    column.AppendDouble(RandomRows.NextDouble(random));
                    break;
                case ColumnValueType.String:
                    column.AppendString(fewDistinct ? "v" + random.Next(3) : new string('s', random.Next(0, 50)) + random.Next());
                    break;
                case ColumnValueType.Binary:
                    {
                        byte[] bytes = new byte[fewDistinct ? 2 : random.Next(0, 30)];
                        random.NextBytes(bytes);
                        column.AppendBytes(fewDistinct ? [(byte)random.Next(2)] : bytes);
                        break;
                    }

                case ColumnValueType.StringArray:
                    column.AppendStringArray(fewDistinct ? ["a", "b"] : [random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), string.Empty]);
                    break;
                default:
                    column.AppendInt64Array(fewDistinct ? [1, 2] : [random.NextInt64(), -random.NextInt64()]);
                    break;
            }
        }

        return column;
    }

    private static (byte Encoding, byte[] Bytes) Encode(ColumnBuffer column, uint formatVersion)
    {
        using var buffer = new ByteBuffer();
        byte encoding = ColumnCodec.EncodeForPart(column, buffer, formatVersion);
        return (encoding, buffer.ToArray());
    }

    private static void AssertPinned(ColumnBuffer column, string hex, uint formatVersion = 1)
    {
        using var buffer = new ByteBuffer();
        byte encoding = ColumnCodec.EncodeForPart(column, buffer, formatVersion);
        Assert.Equal(hex, Convert.ToHexString(buffer.WrittenSpan));
        var decoded = new ColumnBuffer(column.Family, column.Name, column.Type);
        Assert.Equal(encoding, ColumnCodec.Decode(buffer.WrittenSpan, column.Count, column.Type, decoded, new DecodeScratch()));
        for (int i = 0; i < column.Count; i++)
        {
            Assert.Equal(column.GetValue(i), decoded.GetValue(i));
        }
    }
}
