using Banyan.Storage.Rows;
using Banyan.Storage.Tests.Parts;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Rows;

public sealed class WriteBatchCodecTests
{
    // Version 1 (no subject), as written before subjects existed: still read, as the unnamed subject.
    private const string Version1TinyBatch = "42595742" + "01" + "01" + "01" + "01" + "00" + "0176" + "01" + "0102" + "01D00F" + "0104" + "03" + "00010A";

    private const string Version1TwoSeriesBatch = "42595742" + "01" + "01" + "02" + "01" + "00" + "0166" + "02"
        + "00" + "0100000000000000" + "0200000000000000" + "01D00F" + "0100"
        + "12" + "00" + "02" + "000000000000F83F" + "000000000000D03F";

    private static string WithCrc(string body)
    {
        uint crc = Banyan.Storage.Checksums.Crc32C.Compute(Convert.FromHexString(body));
        return body + Convert.ToHexString(BitConverter.GetBytes(crc));
    }

    [Fact]
    public void Pinned_bytes_of_a_tiny_batch()
    {
        var batch = new WriteBatch(DataKind.Measure, "cpm");
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        batch.AddRow(1, 1000, 2, [ColumnValue.FromInt64(5)]);
        byte[] bytes = WriteBatchCodec.Encode(batch);
        // magic BYWB, version 2, kind 1, subject "cpm", 1 row, 1 column (no family, "v", Int64),
        // keys const 1 / const 1000 / const 2, column payload of 3 bytes (no nulls, const 5), CRC.
        string body = "42595742" + "02" + "01" + "0363706D" + "01" + "01" + "00" + "0176" + "01" + "0102" + "01D00F" + "0104" + "03" + "00010A";
        Assert.Equal(WithCrc(body), Convert.ToHexString(bytes));
        WriteBatch decoded = WriteBatchCodec.Decode(bytes);
        Assert.Equal("cpm", decoded.Subject);
        Assert.Equal(5, decoded.Columns[0].GetInt64(0));
    }

    [Fact]
    public void Pinned_bytes_of_a_batch_with_two_series_and_a_float_field()
    {
        // The log favours encoding speed: series ids plain (they are hashes), floats plain.
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "f", ColumnValueType.Float64);
        batch.AddRow(1, 1000, 0, [ColumnValue.FromFloat64(1.5)]);
        batch.AddRow(2, 1000, 0, [ColumnValue.FromFloat64(0.25)]);
        byte[] bytes = WriteBatchCodec.Encode(batch);
        // magic, version 2, kind 1, subject "" (unnamed), 2 rows, 1 column (no family, "f", Float64 = 2),
        // series plain (integer kind 0) 1 and 2 as u64 LE, timestamps const 1000, versions const 0,
        // column payload of 18 bytes: no nulls, float kind plain (2), 1.5 and 0.25 as f64 LE.
        string body = "42595742" + "02" + "01" + "00" + "02" + "01" + "00" + "0166" + "02"
            + "00" + "0100000000000000" + "0200000000000000" + "01D00F" + "0100"
            + "12" + "00" + "02" + "000000000000F83F" + "000000000000D03F";
        Assert.Equal(WithCrc(body), Convert.ToHexString(bytes));
        WriteBatch decoded = WriteBatchCodec.Decode(bytes);
        Assert.Equal([1.5, 0.25], decoded.Columns[0].Float64Values.ToArray());
        Assert.Equal([1UL, 2UL], decoded.SeriesIds.ToArray());
        Assert.Equal(string.Empty, decoded.Subject);
    }

    [Fact]
    public void Version_1_batches_still_decode_as_the_unnamed_subject()
    {
        // The bytes version 1 of the encoder produced for the two batches above (pinned before the bump).
        WriteBatch tiny = WriteBatchCodec.Decode(Convert.FromHexString(WithCrc(Version1TinyBatch)));
        Assert.Equal((DataKind.Measure, string.Empty, 1), (tiny.Kind, tiny.Subject, tiny.Count));
        Assert.Equal((1UL, 1000L, 2L), (tiny.SeriesIds[0], tiny.Timestamps[0], tiny.Versions[0]));
        Assert.Equal((null, "v", ColumnValueType.Int64, 5L), (tiny.Columns[0].Family, tiny.Columns[0].Name, tiny.Columns[0].Type, tiny.Columns[0].GetInt64(0)));

        WriteBatch two = WriteBatchCodec.Decode(Convert.FromHexString(WithCrc(Version1TwoSeriesBatch)));
        Assert.Equal(string.Empty, two.Subject);
        Assert.Equal([1UL, 2UL], two.SeriesIds.ToArray());
        Assert.Equal([1000L, 1000L], two.Timestamps.ToArray());
        Assert.Equal([1.5, 0.25], two.Columns[0].Float64Values.ToArray());

        // Re-encoded, a version 1 batch becomes version 2 with an empty subject and otherwise the same bytes.
        Assert.Equal(WithCrc(Version1TwoSeriesBatch[..8] + "02" + "01" + "00" + Version1TwoSeriesBatch[12..]), Convert.ToHexString(WriteBatchCodec.Encode(two)));
    }

    [Fact]
    public void An_unknown_version_is_corruption_naming_the_offset()
    {
        string body = "42595742" + "04" + Version1TinyBatch[10..];
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => WriteBatchCodec.Decode(Convert.FromHexString(WithCrc(body)), "wal-file", 100));
        Assert.Equal(("wal-file", 104L), (e.FilePath, e.Offset));
        Assert.Contains("version 4", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, DataKind.Measure)]
    [InlineData(2, DataKind.Stream)]
    [InlineData(3, DataKind.Measure)]
    [InlineData(4, DataKind.Stream)]
    public void Random_batches_round_trip(int seed, DataKind kind)
    {
        var rows = new RandomRows(seed, kind, maxRows: 500);
        WriteBatch batch = rows.ToBatch(columnar: seed % 2 == 0);
        WriteBatch decoded = WriteBatchCodec.Decode(WriteBatchCodec.Encode(batch));
        Assert.Equal(batch.Kind, decoded.Kind);
        Assert.Equal(batch.Subject, decoded.Subject);
        Assert.Equal(batch.Count, decoded.Count);
        Assert.True(batch.SeriesIds.SequenceEqual(decoded.SeriesIds), $"seed {seed}: series ids differ");
        Assert.True(batch.Timestamps.SequenceEqual(decoded.Timestamps), $"seed {seed}: timestamps differ");
        Assert.True(batch.Versions.SequenceEqual(decoded.Versions), $"seed {seed}: versions differ");
        Assert.Equal(batch.Columns.Count, decoded.Columns.Count);
        for (int c = 0; c < batch.Columns.Count; c++)
        {
            Assert.Equal((batch.Columns[c].Family, batch.Columns[c].Name, batch.Columns[c].Type), (decoded.Columns[c].Family, decoded.Columns[c].Name, decoded.Columns[c].Type));
            for (int r = 0; r < batch.Count; r++)
            {
                Assert.True(batch.Columns[c].GetValue(r) == decoded.Columns[c].GetValue(r), $"seed {seed} column {c} row {r}");
            }
        }
    }

    [Fact]
    public void Random_and_damaged_bytes_only_raise_the_corruption_exception_with_source_and_offset()
    {
        var random = new Random(9);
        byte[] good = WriteBatchCodec.Encode(new RandomRows(5, DataKind.Measure, maxRows: 50).ToBatch(false));
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] bad = (trial % 3) switch
            {
                0 => good[..random.Next(good.Length)],
                1 => Flip(good, random),
                _ => RandomBytes(random),
            };
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => WriteBatchCodec.Decode(bad, "wal-0001", 4096));
            Assert.Equal("wal-0001", e.FilePath);
            Assert.True(e.Offset >= 4096, $"offset {e.Offset}");
        }
    }

    private static byte[] Flip(byte[] good, Random random)
    {
        byte[] copy = (byte[])good.Clone();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 100)];
        random.NextBytes(bytes);
        return bytes;
    }
}
