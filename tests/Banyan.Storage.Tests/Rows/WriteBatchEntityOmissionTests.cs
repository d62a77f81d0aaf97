using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Rows;

/// <summary>Write batches of format version 3: entity tags left out of the rows whose series keys hold them, restored on decode.</summary>
public sealed class WriteBatchEntityOmissionTests
{
    private const string Subject = "endpoint_cpm";
    private static readonly string[] s_services = ["checkout", "cart|v2", "search"];

    private static string WithCrc(string body)
    {
        uint crc = Banyan.Storage.Checksums.Crc32C.Compute(Convert.FromHexString(body));
        return body + Convert.ToHexString(BitConverter.GetBytes(crc));
    }

    // Entity (service: string, instance: int, endpoint: string); the batch's columns in another order than the key's.
    private static TagValue[] Entity(int series) =>
        [TagValue.FromString(s_services[series % 3]), TagValue.FromInt64(series % 2), TagValue.FromString("/api/" + series)];

    private static ulong SeriesId(int series) => SeriesKey.ComputeSeriesId(Subject, Entity(series));

    private static WriteBatch Batch(int rows)
    {
        var batch = new WriteBatch(DataKind.Measure, Subject);
        batch.AddColumn("default", "endpoint", ColumnValueType.String);
        batch.AddColumn("default", "instance", ColumnValueType.Int64);
        batch.AddColumn("default", "service", ColumnValueType.String);
        batch.AddColumn(null, "value", ColumnValueType.Float64);
        for (int r = 0; r < rows; r++)
        {
            int series = r % 7;
            TagValue[] entity = Entity(series);
            batch.AddRow(SeriesId(series), 1000L * r, r, [ColumnValue.FromString(entity[2].Text), ColumnValue.FromInt64(entity[1].Number), ColumnValue.FromString(entity[0].Text), ColumnValue.FromFloat64(r * 0.5)]);
        }

        return batch;
    }

    private static SeriesEntityBytesLookup Keys(int seriesCount = 7)
    {
        var byId = new Dictionary<ulong, SeriesEntityBytes>();
        for (int s = 0; s < seriesCount; s++)
        {
            byId[SeriesId(s)] = SeriesEntityBytes.Of(Entity(s));
        }

        return id => byId.GetValueOrDefault(id);
    }

    // The series' keys in one arena filled as they are asked for, as a replay does (the arena grows meanwhile).
    private static SeriesEntityBytesLookup ArenaKeys(int seriesCount = 7)
    {
        var arena = new SeriesEntityArena();
        var byId = new Dictionary<ulong, SeriesEntityBytes>();
        var entities = new Dictionary<ulong, TagValue[]>();
        for (int s = 0; s < seriesCount; s++)
        {
            entities[SeriesId(s)] = Entity(s);
        }

        return id =>
        {
            if (!byId.TryGetValue(id, out SeriesEntityBytes? known) && entities.TryGetValue(id, out TagValue[]? entity))
            {
                known = byId[id] = arena.Add(entity);
            }

            return known;
        };
    }

    private static EntityOmission Omission(bool[] rows) => new([2, 0], [0, 2], rows);

    private static void AssertSameRows(WriteBatch expected, WriteBatch actual)
    {
        Assert.Equal((expected.Kind, expected.Subject, expected.Count), (actual.Kind, actual.Subject, actual.Count));
        Assert.Equal(expected.SeriesIds.ToArray(), actual.SeriesIds.ToArray());
        Assert.Equal(expected.Timestamps.ToArray(), actual.Timestamps.ToArray());
        Assert.Equal(expected.Versions.ToArray(), actual.Versions.ToArray());
        Assert.Equal(expected.Columns.Count, actual.Columns.Count);
        for (int c = 0; c < expected.Columns.Count; c++)
        {
            Assert.Equal((expected.Columns[c].Family, expected.Columns[c].Name, expected.Columns[c].Type), (actual.Columns[c].Family, actual.Columns[c].Name, actual.Columns[c].Type));
            for (int r = 0; r < expected.Count; r++)
            {
                Assert.True(expected.Columns[c].GetValue(r) == actual.Columns[c].GetValue(r), $"column {c} row {r}: {expected.Columns[c].GetValue(r)} against {actual.Columns[c].GetValue(r)}");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(300)]
    public void Entity_tags_left_out_of_every_row_come_back_from_the_series_keys(int rows)
    {
        WriteBatch batch = Batch(rows);
        byte[] whole = WriteBatchCodec.Encode(batch);
        using var output = new Banyan.Storage.Bytes.ByteBuffer(256);
        WriteBatchCodec.Encode(batch, output, Omission(Enumerable.Repeat(true, rows).ToArray()));
        byte[] omitting = output.WrittenSpan.ToArray();

        Assert.Equal(WriteBatchCodec.OmittingFormatVersion, omitting[4]);
        Assert.True(omitting.Length < whole.Length, $"{omitting.Length} bytes leaving the tags out, {whole.Length} with them");
        AssertSameRows(batch, WriteBatchCodec.Decode(omitting, "wal", 0, Keys()));

        // From one arena the rows point at its bytes instead of copies.
        WriteBatch fromArena = WriteBatchCodec.Decode(omitting, "wal", 0, ArenaKeys());
        AssertSameRows(batch, fromArena);
        Assert.NotNull(fromArena.Columns[0].BorrowedHeap);
        Assert.Null(fromArena.Columns[1].BorrowedHeap); // the int entity tag is written as before
    }

    [Fact]
    public void Rows_restored_from_an_arena_that_grew_while_their_keys_were_looked_up_hold_their_values()
    {
        // 2,000 series with long tags: the arena grows several times within the one record.
        const int series = 2_000;
        var batch = new WriteBatch(DataKind.Measure, Subject);
        batch.AddColumn("default", "endpoint", ColumnValueType.String);
        batch.AddColumn("default", "service", ColumnValueType.Binary);
        var arena = new SeriesEntityArena();
        var keys = new Dictionary<ulong, TagValue[]>();
        var looked = new Dictionary<ulong, SeriesEntityBytes>();
        for (int s = 0; s < series; s++)
        {
            TagValue[] entity = [TagValue.FromBinary(BitConverter.GetBytes(s)), TagValue.FromString(new string('x', s % 97) + "/endpoint/" + s)];
            ulong id = SeriesKey.ComputeSeriesId(Subject, entity);
            keys[id] = entity;
            batch.AddRow(id, s, 0, [ColumnValue.FromString(entity[1].Text), ColumnValue.FromBinary(entity[0].Bytes)]);
        }

        using var output = new Banyan.Storage.Bytes.ByteBuffer(256);
        WriteBatchCodec.Encode(batch, output, new EntityOmission([0, 1], [1, 0], Enumerable.Repeat(true, series).ToArray()));
        byte[] first = arena.Bytes;
        WriteBatch decoded = WriteBatchCodec.Decode(output.WrittenSpan, "wal", 0, id => looked.TryGetValue(id, out SeriesEntityBytes? known) ? known : looked[id] = arena.Add(keys[id]));
        Assert.NotSame(first, arena.Bytes);
        AssertSameRows(batch, decoded);
        Assert.Same(arena.Bytes, decoded.Columns[0].BorrowedHeap);
    }

    [Theory]
    [InlineData(9, 1)]
    [InlineData(16, 2)]
    [InlineData(301, 3)]
    public void Entity_tags_left_out_of_some_rows_come_back_in_their_places(int rows, int seed)
    {
        var random = new Random(seed);
        WriteBatch batch = Batch(rows);
        bool[] left = new bool[rows];
        for (int r = 0; r < rows; r++)
        {
            left[r] = random.Next(3) > 0;
        }

        left[0] = false; // at least one row written whole, one left out
        left[^1] = true;
        using var output = new Banyan.Storage.Bytes.ByteBuffer(256);
        WriteBatchCodec.Encode(batch, output, Omission(left));
        Assert.Equal(WriteBatchCodec.OmittingFormatVersion, output.WrittenSpan[4]);
        AssertSameRows(batch, WriteBatchCodec.Decode(output.WrittenSpan, "wal", 0, ArenaKeys()));

        // Only the left-out rows are looked up.
        var asked = new List<ulong>();
        SeriesEntityBytesLookup keys = Keys();
        WriteBatch decoded = WriteBatchCodec.Decode(output.WrittenSpan, "wal", 0, id =>
        {
            asked.Add(id);
            return keys(id);
        });
        AssertSameRows(batch, decoded);
        Assert.Equal(left.Count(l => l), asked.Count);
    }

    [Fact]
    public void A_batch_that_leaves_nothing_out_is_written_as_version_2_byte_for_byte()
    {
        WriteBatch batch = Batch(10);
        using var output = new Banyan.Storage.Bytes.ByteBuffer(256);
        WriteBatchCodec.Encode(batch, output, Omission(new bool[10]));
        Assert.Equal(WriteBatchCodec.Encode(batch), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Pinned_bytes_of_a_batch_that_leaves_out_one_rows_entity_tag()
    {
        // Measure "m", two rows of series 1 and 2 at ts 1000, version 0, one column "svc" (family "d", String) holding "a"
        // and "b"; the first row's "svc" left out as entity tag 0 of its series' key.
        var batch = new WriteBatch(DataKind.Measure, "m");
        batch.AddColumn("d", "svc", ColumnValueType.String);
        batch.AddRow(1, 1000, 0, [ColumnValue.FromString("a")]);
        batch.AddRow(2, 1000, 0, [ColumnValue.FromString("b")]);
        using var output = new Banyan.Storage.Bytes.ByteBuffer(64);
        WriteBatchCodec.Encode(batch, output, new EntityOmission([0], [0], [true, false]));

        // magic, version 3, kind 1, subject "m", 2 rows, 1 column (family "d", "svc", String = 3),
        // series plain 1 and 2, timestamps const 1000, versions const 0,
        // omission: 1 column (column 0, entity position 0), 1 row left out, bitmap 01 (row 0),
        // column payload of 3 bytes: the one kept row (bytes mode plain 00, then length + 1 = 2 and "b").
        string body = "42595742" + "03" + "01" + "016D" + "02" + "01" + "01" + "0164" + "03737663" + "03"
            + "00" + "0100000000000000" + "0200000000000000" + "01D00F" + "0100"
            + "01" + "00" + "00" + "01" + "01"
            + "03" + "00" + "02" + "62";
        Assert.Equal(WithCrc(body), Convert.ToHexString(output.WrittenSpan));

        WriteBatch decoded = WriteBatchCodec.Decode(output.WrittenSpan, "wal", 0, id => id == 1 ? SeriesEntityBytes.Of([TagValue.FromString("a")]) : null);
        Assert.Equal(("a", "b"), (decoded.Columns[0].GetString(0), decoded.Columns[0].GetString(1)));
    }

    [Fact]
    public void Without_the_series_keys_a_batch_that_left_tags_out_is_a_clear_error()
    {
        using var output = new Banyan.Storage.Bytes.ByteBuffer(256);
        WriteBatchCodec.Encode(Batch(5), output, Omission([true, true, true, true, true]));
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => WriteBatchCodec.Decode(output.WrittenSpan, "wal-0007", 4096));
        Assert.Equal("wal-0007", e.FilePath);
        Assert.True(e.Offset > 4096, $"offset {e.Offset}");
        Assert.Contains("leaves out entity tags", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_series_the_keys_do_not_hold_is_corruption_naming_the_series()
    {
        using var output = new Banyan.Storage.Bytes.ByteBuffer(256);
        WriteBatchCodec.Encode(Batch(5), output, Omission([false, false, false, true, false]));
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => WriteBatchCodec.Decode(output.WrittenSpan, "wal-0007", 4096, Keys(seriesCount: 3)));
        Assert.Equal("wal-0007", e.FilePath);
        Assert.Contains($"series {SeriesId(3)}", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_value_that_is_not_bytes_or_a_position_past_the_key_is_corruption()
    {
        using var output = new Banyan.Storage.Bytes.ByteBuffer(256);
        WriteBatchCodec.Encode(Batch(3), output, Omission([true, true, true]));
        StorageCorruptionException number = Assert.Throws<StorageCorruptionException>(() => WriteBatchCodec.Decode(output.WrittenSpan, "wal", 0, _ => SeriesEntityBytes.Of([TagValue.FromInt64(1), TagValue.FromInt64(2), TagValue.FromInt64(3)])));
        Assert.Contains("Number", number.Message, StringComparison.Ordinal);
        StorageCorruptionException shortKey = Assert.Throws<StorageCorruptionException>(() => WriteBatchCodec.Decode(output.WrittenSpan, "wal", 0, _ => SeriesEntityBytes.Of([TagValue.FromString("x")])));
        Assert.Contains("holds 1 values", shortKey.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_omission_that_does_not_fit_the_batch_is_refused_when_encoding()
    {
        using var output = new Banyan.Storage.Bytes.ByteBuffer(256);
        Assert.Throws<ArgumentException>(() => WriteBatchCodec.Encode(Batch(3), output, Omission([true, true])));
        Assert.Throws<ArgumentException>(() => WriteBatchCodec.Encode(Batch(3), output, new EntityOmission([1], [1], [true, true, true])));
        Assert.Throws<ArgumentException>(() => WriteBatchCodec.Encode(Batch(3), output, new EntityOmission([9], [0], [true, true, true])));
        Assert.Throws<ArgumentException>(() => new EntityOmission([0, 0], [0, 2], [true]));
    }

    [Fact]
    public void Damaged_version_3_bytes_with_a_valid_checksum_only_raise_the_corruption_exception()
    {
        // The checksum catches damage on disk; this checks the parser itself on every byte it reads, as a damaged
        // record that happened to keep its checksum would reach it.
        var random = new Random(17);
        WriteBatch batch = Batch(40);
        bool[] left = new bool[40];
        for (int r = 0; r < left.Length; r++)
        {
            left[r] = r % 3 != 0;
        }

        using var output = new Banyan.Storage.Bytes.ByteBuffer(256);
        WriteBatchCodec.Encode(batch, output, Omission(left));
        byte[] good = output.WrittenSpan.ToArray();
        SeriesEntityBytesLookup keys = Keys();
        int decoded = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bad = good[..^4];
            bad[random.Next(5, bad.Length)] ^= (byte)(1 << random.Next(8));
            if (trial % 2 == 0)
            {
                bad[random.Next(5, bad.Length)] = (byte)random.Next(256);
            }

            byte[] sealedAgain = Convert.FromHexString(WithCrc(Convert.ToHexString(bad)));
            try
            {
                WriteBatchCodec.Decode(sealedAgain, "wal-0009", 512, keys);
                decoded++;
            }
            catch (StorageCorruptionException e)
            {
                Assert.Equal("wal-0009", e.FilePath);
                Assert.True(e.Offset >= 512, $"offset {e.Offset}");
            }
        }

        Assert.True(decoded < 3000, "every damaged batch decoded");
    }
}
