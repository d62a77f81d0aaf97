using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Compression;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// Format 4 (docs/format/part.md, tf.md): format 3 in which a block's entity tags are not stored; their directory entries
/// say <see cref="ColumnCodec.BytesFromSeriesKey"/> with no frame, and the reader takes the values from the series index.
/// </summary>
public sealed class PartFormat4Tests
{
    private const string Subject = "service_cpm";
    private static readonly PartWriterOptions s_raw = new() { Codec = CompressionCodec.None, Fsync = false };
    private static readonly string[] s_entity = ["service", "instance"];

    [Fact]
    public void Entity_tags_get_a_directory_entry_and_no_bytes_and_read_back_from_the_series_keys()
    {
        WriteBatch batch = Batch(seriesCount: 4, rows: 30);
        using var temp = new TempDirectory();
        MemoryPart part = Seal(batch);
        part.WriteTo(temp.Sub("v4"), s_raw);
        part.WriteTo(temp.Sub("v3"), s_raw with { FormatVersion = 3 });

        using PartReader v4 = PartReader.Open(temp.Sub("v4"), Lookup(batch));
        Assert.Equal(4u, v4.Metadata.FormatVersion);
        foreach ((ulong _, Dictionary<string, ColumnHeader> tags) in PartFormat3Tests.BlockTagColumns(v4))
        {
            Assert.Equal((ColumnCodec.BytesFromSeriesKey, 0), (tags["service"].Encoding, tags["service"].Size));
            Assert.Equal((ColumnCodec.BytesFromSeriesKey, 0), (tags["instance"].Encoding, tags["instance"].Size));
            Assert.NotEqual(ColumnCodec.BytesFromSeriesKey, tags["status"].Encoding); // not an entity tag: stored
        }

        PartFormat3Tests.AssertRowsRead(batch, v4);

        // Format 3 stores them (once per block); without the entity tags' bytes the format 4 .tf file is smaller by
        // at least their values.
        using PartReader v3 = PartReader.Open(temp.Sub("v3"));
        PartFormat3Tests.AssertRowsRead(batch, v3);
        Assert.All(PartFormat3Tests.BlockTagColumns(v3), b => Assert.Equal(ColumnCodec.BytesConstant, b.Tags["service"].Encoding));
        long saved = PartFormat3Tests.Bytes(temp.Sub("v3"), "default.tf") - PartFormat3Tests.Bytes(temp.Sub("v4"), "default.tf");
        Assert.True(saved >= 4 * ("service-0".Length + "instance-0".Length), $"format 4 saved {saved} bytes of default.tf");
    }

    // The worked example of docs/format/tf.md for format 4, every byte of the tag files: one series, three rows, entity
    // tag "svc" = "api" in each row.
    [Fact]
    public void An_entity_tag_is_pinned_byte_by_byte()
    {
        var batch = new WriteBatch(DataKind.Measure, Subject);
        batch.AddColumn(null, "value", ColumnValueType.Int64);
        batch.AddColumn("default", "svc", ColumnValueType.String);
        for (int i = 0; i < 3; i++)
        {
            batch.AddRow(7, 1_000 + (i * 10), 0, [ColumnValue.FromInt64(i), ColumnValue.FromString("api")]);
        }

        using var temp = new TempDirectory();
        Assert.Single(MemoryPartBuilder.BuildAll([batch], DataKind.Measure, s_raw, entityTagsOf: _ => ["svc"])).WriteTo(temp.Sub("p"), s_raw);
        string Hex(string file) => Convert.ToHexString(File.ReadAllBytes(Path.Combine(temp.Sub("p"), file)));

        // "BYTF" version 4 and nothing else: the tag has no frame.
        Assert.Equal("42595446" + "04000000", Hex(PartFileNames.TagValues("default")));

        // "BYTM" version 4, then the block's directory frame: codec 00, 1 column, first frame offset 8 (where a frame
        // would start), tag number 0, type String (3), encoding 03 (from the series key), size 0; CRC-32C.
        string tfmFrame = "00" + "01" + "08" + "00" + "03" + "03" + "00";
        Assert.Equal("4259544D" + "04000000" + tfmFrame + PartFormat3Tests.Crc(tfmFrame), Hex(PartFileNames.TagMetadata("default")));

        using PartReader reader = PartReader.Open(temp.Sub("p"), _ => new SeriesEntity(["svc"], [TagValue.FromString("api")]));
        var block = new Block();
        reader.ReadBlock(FirstBlock(reader), ColumnProjection.All, block, new DecodeScratch());
        ColumnBuffer svc = block.FindColumn("default", "svc")!;
        Assert.Equal(["api", "api", "api"], Enumerable.Range(0, 3).Select(r => svc.GetString(r)!));
        Assert.True(svc.HoldsSeriesEntity);
    }

    [Fact]
    public void Reading_them_without_the_series_index_says_so_and_a_series_the_index_lacks_is_corruption()
    {
        WriteBatch batch = Batch(seriesCount: 2, rows: 5);
        using var temp = new TempDirectory();
        Seal(batch).WriteTo(temp.Sub("p"), s_raw);
        var block = new Block();

        using (PartReader alone = PartReader.Open(temp.Sub("p")))
        {
            BlockHeader header = FirstBlock(alone);
            InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => alone.ReadBlock(header, ColumnProjection.All, block, new DecodeScratch()));
            Assert.Contains("default.service", e.Message, StringComparison.Ordinal);

            // A projection without the entity tags needs no index.
            alone.ReadBlock(header, ColumnProjection.Of(["value"], [("default", "status")]), block, new DecodeScratch());
            Assert.Equal(5, block.Count);
        }

        using PartReader forgetful = PartReader.Open(temp.Sub("p"), _ => null);
        StorageCorruptionException error = Assert.Throws<StorageCorruptionException>(
            () => forgetful.ReadBlock(FirstBlock(forgetful), ColumnProjection.All, block, new DecodeScratch()));
        Assert.Equal(Path.Combine(temp.Sub("p"), "default.tf"), error.FilePath);
        Assert.Contains("no such series", error.Detail, StringComparison.Ordinal);

        using PartReader mistyped = PartReader.Open(temp.Sub("p"), _ => new SeriesEntity(s_entity, [TagValue.FromInt64(1), TagValue.FromInt64(2)]));
        error = Assert.Throws<StorageCorruptionException>(() => mistyped.ReadBlock(FirstBlock(mistyped), ColumnProjection.All, block, new DecodeScratch()));
        Assert.Contains("Number", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Merges_keep_them_out_where_every_row_came_from_a_series_key_and_store_them_otherwise()
    {
        // Series 1..3 in a format 3 part (stored) and in a format 4 part (left out), at other timestamps, and series
        // 4..6 in the format 4 part only.
        WriteBatch old = Batch(seriesCount: 3, rows: 20, seriesFrom: 1, timeFrom: 0);
        WriteBatch recent = Batch(seriesCount: 6, rows: 20, seriesFrom: 1, timeFrom: 1_000);
        using var temp = new TempDirectory();
        Seal(old).WriteTo(temp.Sub("v3"), s_raw with { FormatVersion = 3 });
        Seal(recent).WriteTo(temp.Sub("v4"), s_raw);
        SeriesEntityLookup lookup = Lookup(recent);
        using PartReader v3 = PartReader.Open(temp.Sub("v3"), lookup);
        using PartReader v4 = PartReader.Open(temp.Sub("v4"), lookup);

        PartMerger.Merge([v3, v4], DataKind.Measure, temp.Sub("m4"), s_raw);
        PartMerger.Merge([v3, v4], DataKind.Measure, temp.Sub("m3"), s_raw with { FormatVersion = 3 });
        using PartReader m4 = PartReader.Open(temp.Sub("m4"), lookup);
        using PartReader m3 = PartReader.Open(temp.Sub("m3"));
        foreach ((ulong series, Dictionary<string, ColumnHeader> tags) in PartFormat3Tests.BlockTagColumns(m4))
        {
            byte expected = series <= 3 ? ColumnCodec.BytesConstant : ColumnCodec.BytesFromSeriesKey;
            Assert.Equal(expected, tags["service"].Encoding);
        }

        Assert.DoesNotContain(ColumnCodec.BytesFromSeriesKey, PartFormat3Tests.BlockTagColumns(m3).SelectMany(b => b.Tags.Values).Select(c => c.Encoding));
        WriteBatch both = Combine(old, recent);
        PartFormat3Tests.AssertRowsRead(both, m4);
        PartFormat3Tests.AssertRowsRead(both, m3);

        // A format 4 part merged alone keeps every entity tag out.
        PartMerger.Merge([v4], DataKind.Measure, temp.Sub("again"), s_raw);
        using PartReader again = PartReader.Open(temp.Sub("again"), lookup);
        Assert.All(PartFormat3Tests.BlockTagColumns(again), b => Assert.Equal(ColumnCodec.BytesFromSeriesKey, b.Tags["instance"].Encoding));
        PartFormat3Tests.AssertRowsRead(recent, again);
    }

    [Fact]
    public void The_mode_is_refused_before_format_4_with_a_frame_or_on_a_type_that_cannot_be_an_entity()
    {
        string[] names = ["svc"];
        string entry(string type, string encoding, string size) => "01" + "08" + "00" + type + encoding + size;

        // string, from the series key, no frame: fine in format 4.
        ColumnHeader column = Assert.Single(BlockHeaderCodec.ReadTagDirectory(Convert.FromHexString(entry("03", "03", "00")), 100, "default.tf", 4, names));
        Assert.Equal((ColumnCodec.BytesFromSeriesKey, 0, 8L), (column.Encoding, column.Size, column.Offset));

        foreach ((string hex, uint version, string message) in new[]
        {
            (entry("03", "03", "00"), 3u, "unknown encoding 3"),        // format 3 has no such mode
            (entry("03", "03", "0A"), 4u, "has no frame"),              // the mode with a frame
            (entry("05", "03", "00"), 4u, "unknown encoding 3"),        // a string array cannot be an entity
        })
        {
            StorageCorruptionException error = Assert.Throws<StorageCorruptionException>(
                () => BlockHeaderCodec.ReadTagDirectory(Convert.FromHexString(hex), 100, "default.tf", version, names));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_column_with_a_missing_value_is_stored_whatever_its_name()
    {
        // The first batch was written before "instance" existed: its rows read null there, so the column is not the
        // series key's value in those blocks and is stored.
        WriteBatch without = WithoutInstance();
        WriteBatch with = Batch(seriesCount: 1, rows: 3, seriesFrom: 7, timeFrom: 10);
        MemoryPart part = Assert.Single(MemoryPartBuilder.BuildAll([without, with], DataKind.Measure, s_raw, entityTagsOf: _ => s_entity));
        using var temp = new TempDirectory();
        part.WriteTo(temp.Sub("p"), s_raw);
        using PartReader reader = PartReader.Open(temp.Sub("p"), Lookup(with));
        (ulong _, Dictionary<string, ColumnHeader> tags) = Assert.Single(PartFormat3Tests.BlockTagColumns(reader));
        Assert.Equal(ColumnCodec.BytesFromSeriesKey, tags["service"].Encoding);
        Assert.NotEqual(ColumnCodec.BytesFromSeriesKey, tags["instance"].Encoding);
        var block = new Block();
        reader.ReadBlock(FirstBlock(reader), ColumnProjection.All, block, new DecodeScratch());
        Assert.True(block.FindColumn("default", "instance")!.IsNull(0));
        Assert.Equal("instance-7", block.FindColumn("default", "instance")!.GetString(1));
    }

    [Fact]
    public void A_merged_block_with_rows_from_a_part_without_the_column_stores_it()
    {
        // Series 7 in a part written before "instance" existed, and in a format 4 part that leaves "instance" to the key:
        // the merged block's "instance" is null in the first rows, so it is stored, and "service" still left out.
        WriteBatch without = WithoutInstance();
        WriteBatch with = Batch(seriesCount: 1, rows: 3, seriesFrom: 7, timeFrom: 10);
        using var temp = new TempDirectory();
        Seal(without).WriteTo(temp.Sub("old"), s_raw);
        Seal(with).WriteTo(temp.Sub("new"), s_raw);
        SeriesEntityLookup lookup = Lookup(with);
        using PartReader old = PartReader.Open(temp.Sub("old"), lookup);
        using PartReader recent = PartReader.Open(temp.Sub("new"), lookup);
        Assert.Equal(ColumnCodec.BytesFromSeriesKey, Assert.Single(PartFormat3Tests.BlockTagColumns(recent)).Tags["instance"].Encoding);

        PartMerger.Merge([old, recent], DataKind.Measure, temp.Sub("m"), s_raw);
        using PartReader merged = PartReader.Open(temp.Sub("m"), lookup);
        (ulong _, Dictionary<string, ColumnHeader> tags) = Assert.Single(PartFormat3Tests.BlockTagColumns(merged));
        Assert.Equal(ColumnCodec.BytesFromSeriesKey, tags["service"].Encoding);
        Assert.NotEqual(ColumnCodec.BytesFromSeriesKey, tags["instance"].Encoding);
        var block = new Block();
        merged.ReadBlock(FirstBlock(merged), ColumnProjection.All, block, new DecodeScratch());
        ColumnBuffer instance = block.FindColumn("default", "instance")!;
        Assert.Equal([null, "instance-7", "instance-7", "instance-7"], Enumerable.Range(0, 4).Select(instance.GetString));
        Assert.Equal("service-1", block.FindColumn("default", "service")!.GetString(0));
    }

    // A seal told the subject's entity tags, as a shard with indexes seals.
    private static MemoryPart Seal(WriteBatch batch) =>
        Assert.Single(MemoryPartBuilder.BuildAll([batch], DataKind.Measure, s_raw, entityTagsOf: s => s == Subject ? s_entity : null));

    // What the series index answers for the batch's series (their entity values as written).
    private static SeriesEntityLookup Lookup(WriteBatch batch)
    {
        var values = new Dictionary<ulong, SeriesEntity>();
        for (int r = 0; r < batch.Count; r++)
        {
            var entity = new List<TagValue>();
            foreach (string tag in s_entity)
            {
                ColumnBuffer? column = batch.Columns.FirstOrDefault(c => c.Family == "default" && c.Name == tag);
                entity.Add(column is null || column.IsNull(r) ? TagValue.Null : TagValue.FromString(column.GetString(r)!));
            }

            values[batch.SeriesIds[r]] = new SeriesEntity(s_entity, entity);
        }

        return series => values.GetValueOrDefault(series);
    }

    // seriesCount series of rows rows each: entity tags "service" and "instance" (one value per series), a status that
    // varies, an int field.
    private static WriteBatch Batch(int seriesCount, int rows, ulong seriesFrom = 0, long timeFrom = 0)
    {
        var batch = new WriteBatch(DataKind.Measure, Subject);
        batch.AddColumn("default", "service", ColumnValueType.String);
        batch.AddColumn("default", "instance", ColumnValueType.String);
        batch.AddColumn("default", "status", ColumnValueType.String);
        batch.AddColumn(null, "value", ColumnValueType.Int64);
        for (ulong s = seriesFrom; s < seriesFrom + (ulong)seriesCount; s++)
        {
            for (int i = 0; i < rows; i++)
            {
                batch.AddRow(s, timeFrom + (i * 10), 1, [ColumnValue.FromString($"service-{s % 2}"), ColumnValue.FromString($"instance-{s}"),
                    ColumnValue.FromString("status-" + (i % 3)), ColumnValue.FromInt64(i)]);
            }
        }

        return batch;
    }

    // The rows of both batches (of the same columns) in one.
    private static WriteBatch Combine(WriteBatch a, WriteBatch b)
    {
        var both = new WriteBatch(DataKind.Measure, Subject);
        foreach (ColumnBuffer column in a.Columns)
        {
            both.AddColumn(column.Family, column.Name, column.Type);
        }

        foreach (WriteBatch batch in new[] { a, b })
        {
            for (int r = 0; r < batch.Count; r++)
            {
                both.AddRow(batch.SeriesIds[r], batch.Timestamps[r], batch.Versions[r], [.. batch.Columns.Select(c => c.GetValue(r))]);
            }
        }

        return both;
    }

    private static BlockHeader FirstBlock(PartReader reader)
    {
        var headers = new List<BlockHeader>();
        reader.FindBlocks(SeriesTimeFilter.All, headers);
        return headers[0];
    }

    // One row of series 7 written before the subject had "instance" (the batch lacks the column).
    private static WriteBatch WithoutInstance()
    {
        WriteBatch batch = new(DataKind.Measure, Subject);
        batch.AddColumn("default", "service", ColumnValueType.String);
        batch.AddColumn(null, "value", ColumnValueType.Int64);
        batch.AddRow(7, 1, 1, [ColumnValue.FromString("service-1"), ColumnValue.FromInt64(1)]);
        return batch;
    }
}
