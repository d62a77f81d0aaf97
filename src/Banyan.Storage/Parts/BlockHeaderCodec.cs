using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// Serializes block headers into primary.bin chunks and tag column directories into .tfm frames
/// (layouts in docs/format/primary.bin.md and docs/format/tf.md), and parses them back with
/// range checks on every value.
/// </summary>
public static class BlockHeaderCodec
{
    /// <summary>Largest row count a header may declare.</summary>
    public const int MaxRowsPerBlock = 1 << 24;

    /// <summary>Largest number of fields, tag families or tags per family in one block.</summary>
    public const int MaxColumns = 1 << 16;

    /// <summary>Appends <paramref name="header"/> to a chunk being built.</summary>
    public static void Write(BlockHeader header, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteVarUInt64(header.SeriesId);
        output.WriteVarUInt64((ulong)header.RowCount);
        output.WriteVarInt64(header.MinTimestamp);
        output.WriteVarInt64(header.MaxTimestamp);
        output.WriteVarUInt64((ulong)header.TimestampsOffset);
        output.WriteVarUInt64((ulong)header.TimestampsSize);
        output.WriteByte((byte)header.TimestampsEncoding);
        output.WriteByte((byte)header.VersionsEncoding);
        output.WriteVarUInt64((ulong)header.Fields.Count);
        foreach (ColumnHeader field in header.Fields)
        {
            output.WriteString(field.Name);
            output.WriteByte((byte)field.Type);
            output.WriteByte(field.Encoding);
            output.WriteVarUInt64((ulong)field.Offset);
            output.WriteVarUInt64((ulong)field.Size);
            field.Statistics.Write(output);
        }

        output.WriteVarUInt64((ulong)header.TagFamilies.Count);
        foreach (TagFamilyHeader family in header.TagFamilies)
        {
            output.WriteString(family.Name);
            output.WriteVarUInt64((ulong)family.Offset);
            output.WriteVarUInt64((ulong)family.Size);
        }
    }

    /// <summary>
    /// Parses a chunk of <paramref name="blockCount"/> headers; every offset+size must lie inside the
    /// file lengths given.
    /// </summary>
    public static BlockHeader[] ReadChunk(ReadOnlySpan<byte> raw, int blockCount, long timestampsLength, long fieldValuesLength,
        Func<string, long>? tagMetadataLength)
    {
        var headers = new BlockHeader[blockCount];
        var reader = new SpanReader(raw);
        ulong previousSeries = 0;
        long previousMax = long.MinValue;
        for (int b = 0; b < blockCount; b++)
        {
            int start = reader.Position;
            ulong seriesId = reader.ReadVarUInt64();
            int rowCount = reader.ReadLength(MaxRowsPerBlock);
            long min = reader.ReadVarInt64();
            long max = reader.ReadVarInt64();
            long tsOffset = ReadOffset(ref reader);
            int tsSize = ReadSize(ref reader);
            IntegerEncodingKind tsEncoding = ReadIntegerEncoding(ref reader, IntegerEncodingKind.DeltaOfDelta);
            IntegerEncodingKind versionsEncoding = ReadIntegerEncoding(ref reader, IntegerEncodingKind.DeltaOfDelta);
            if (rowCount == 0 || min > max)
            {
                EncodingCorruption.Throw(start, $"block header with {rowCount} rows and time range [{min}, {max}]");
            }

            if (b > 0 && (seriesId < previousSeries || (seriesId == previousSeries && min < previousMax)))
            {
                EncodingCorruption.Throw(start, "block headers out of (series, time) order");
            }

            CheckRange(tsOffset, tsSize, timestampsLength, start, PartFileNames.Timestamps);
            int fieldCount = reader.ReadLength(MaxColumns);
            var fields = fieldCount == 0 ? [] : new ColumnHeader[fieldCount];
            for (int f = 0; f < fieldCount; f++)
            {
                string name = reader.ReadString(ColumnBuffer.MaxNameBytes);
                ColumnValueType type = ReadType(ref reader);
                byte encoding = ReadColumnEncoding(ref reader, type);
                long offset = ReadOffset(ref reader);
                int size = ReadSize(ref reader);
                CheckRange(offset, size, fieldValuesLength, start, PartFileNames.FieldValues);
                ColumnStatistics statistics = ColumnStatistics.Read(ref reader, type, rowCount);
                fields[f] = new ColumnHeader(name, type, offset, size, encoding, statistics);
            }

            int familyCount = reader.ReadLength(MaxColumns);
            var families = familyCount == 0 ? [] : new TagFamilyHeader[familyCount];
            for (int t = 0; t < familyCount; t++)
            {
                string name = reader.ReadString(TagFamilyName.MaxLength);
                long offset = ReadOffset(ref reader);
                int size = ReadSize(ref reader);
                long length = tagMetadataLength?.Invoke(name) ?? -1;
                if (length < 0)
                {
                    EncodingCorruption.Throw(start, $"block refers to tag family '{name}', which the part does not list");
                }

                CheckRange(offset, size, length, start, PartFileNames.TagMetadata(name));
                families[t] = new TagFamilyHeader(name, offset, size);
            }

            headers[b] = new BlockHeader(seriesId, rowCount, min, max, tsOffset, tsSize, tsEncoding, versionsEncoding, fields, families, null);
            previousSeries = seriesId;
            previousMax = max;
        }

        reader.EnsureEnd();
        return headers;
    }

    /// <summary>Appends a tag family's column directory for one block.</summary>
    public static void WriteTagDirectory(IReadOnlyList<ColumnHeader> columns, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteVarUInt64((ulong)columns.Count);
        foreach (ColumnHeader column in columns)
        {
            output.WriteString(column.Name);
            output.WriteByte((byte)column.Type);
            output.WriteByte(column.Encoding);
            output.WriteVarUInt64((ulong)column.Offset);
            output.WriteVarUInt64((ulong)column.Size);
        }
    }

    /// <summary>
    /// Appends a tag family's column directory for one block in the layout of format 3 and later: each tag by its number
    /// in <paramref name="names"/> (the family's table in meta.bin), and only the first frame's offset, the family's
    /// frames of a block being written one after the other.
    /// </summary>
    public static void WriteTagDirectory(IReadOnlyList<ColumnHeader> columns, ByteBuffer output, TagNameTable names)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(names);
        output.WriteVarUInt64((ulong)columns.Count);
        if (columns.Count == 0)
        {
            return;
        }

        output.WriteVarUInt64((ulong)columns[0].Offset);
        long next = columns[0].Offset;
        foreach (ColumnHeader column in columns)
        {
            if (column.Offset != next)
            {
                throw new InvalidOperationException($"tag '{column.Name}' is at offset {column.Offset}, not right after the family's previous frame ({next})");
            }

            output.WriteVarUInt64((ulong)names.NumberOf(column.Name));
            output.WriteByte((byte)column.Type);
            output.WriteByte(column.Encoding);
            output.WriteVarUInt64((ulong)column.Size);
            next += column.Size;
        }
    }

    /// <summary>
    /// Parses a tag family's column directory written by <see cref="WriteTagDirectory(IReadOnlyList{ColumnHeader}, ByteBuffer, TagNameTable)"/>
    /// (format 3 and later), naming each tag from <paramref name="names"/>, the family's table in meta.bin.
    /// </summary>
    public static ColumnHeader[] ReadTagDirectory(ReadOnlySpan<byte> raw, long tagValuesLength, string tagValuesName, uint formatVersion, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var reader = new SpanReader(raw);
        int count = reader.ReadLength(MaxColumns);
        var columns = new ColumnHeader[count];
        if (count == 0)
        {
            reader.EnsureEnd();
            return columns;
        }

        int firstOffset = reader.Position;
        long offset = ReadOffset(ref reader);
        if (offset > tagValuesLength)
        {
            EncodingCorruption.Throw(firstOffset, $"frame offset {offset} lies outside {tagValuesName} ({tagValuesLength} bytes)");
        }

        Span<bool> seen = names.Count <= 256 ? stackalloc bool[names.Count] : new bool[names.Count];
        for (int i = 0; i < count; i++)
        {
            int start = reader.Position;
            ulong number = reader.ReadVarUInt64();
            if (number >= (ulong)names.Count || seen[(int)number])
            {
                EncodingCorruption.Throw(start, $"tag number {number} is not one of the family's {names.Count} names, or is given twice");
            }

            seen[(int)number] = true;
            ColumnValueType type = ReadType(ref reader);
            int size;
            byte encoding;
            if (ColumnCodec.AllowsFromSeriesKey(formatVersion, type) && reader.Remaining > 0 && reader.RemainingSpan[0] == ColumnCodec.BytesFromSeriesKey)
            {
                // Format 4: the values are the series key's; the part holds no frame for them.
                encoding = reader.ReadByte();
                int sizeAt = reader.Position;
                size = reader.ReadLength(int.MaxValue);
                if (size != 0)
                {
                    EncodingCorruption.Throw(sizeAt, $"a tag taken from the series key has no frame, but its size is {size}");
                }
            }
            else
            {
                encoding = ReadColumnEncoding(ref reader, type, IntegerEncodingKind.Rice, ColumnCodec.HighestBytesMode(formatVersion));
                size = ReadSize(ref reader, CompactFrame.MinSize);
            }

            CheckRange(offset, size, tagValuesLength, start, tagValuesName);
            columns[i] = new ColumnHeader(names[(int)number], type, offset, size, encoding, default);
            offset += size;
        }

        reader.EnsureEnd();
        return columns;
    }

    /// <summary>Parses a tag family's column directory; offsets must lie inside a .tf file of <paramref name="tagValuesLength"/> bytes.</summary>
    public static ColumnHeader[] ReadTagDirectory(ReadOnlySpan<byte> raw, long tagValuesLength, string tagValuesName) =>
        ReadTagDirectory(raw, tagValuesLength, tagValuesName, formatVersion: 1);

    /// <summary>
    /// As <see cref="ReadTagDirectory(ReadOnlySpan{byte}, long, string)"/> for a part of <paramref name="formatVersion"/>:
    /// from version 2 frames are <see cref="CompactFrame"/>s and integer columns may be Rice-coded.
    /// </summary>
    public static ColumnHeader[] ReadTagDirectory(ReadOnlySpan<byte> raw, long tagValuesLength, string tagValuesName, uint formatVersion)
    {
        int minFrame = formatVersion >= 2 ? CompactFrame.MinSize : Frame.HeaderSize;
        IntegerEncodingKind maxInteger = formatVersion >= 2 ? IntegerEncodingKind.Rice : IntegerEncodingKind.DeltaOfDelta;
        var reader = new SpanReader(raw);
        int count = reader.ReadLength(MaxColumns);
        var columns = new ColumnHeader[count];
        for (int i = 0; i < count; i++)
        {
            int start = reader.Position;
            string name = reader.ReadString(ColumnBuffer.MaxNameBytes);
            ColumnValueType type = ReadType(ref reader);
            byte encoding = ReadColumnEncoding(ref reader, type, maxInteger, ColumnCodec.HighestBytesMode(formatVersion));
            long offset = ReadOffset(ref reader);
            int size = ReadSize(ref reader, minFrame);
            CheckRange(offset, size, tagValuesLength, start, tagValuesName);
            columns[i] = new ColumnHeader(name, type, offset, size, encoding, default);
        }

        reader.EnsureEnd();
        return columns;
    }

    /// <summary>A column type byte (both part formats); an undefined one is corruption at its offset.</summary>
    internal static ColumnValueType ReadType(ref SpanReader reader)
    {
        int offset = reader.Position;
        var type = (ColumnValueType)reader.ReadByte();
        if (!ColumnValueTypes.IsDefined(type))
        {
            EncodingCorruption.Throw(offset, $"unknown column type {(byte)type}");
        }

        return type;
    }

    /// <summary>An integer encoding byte; one above <paramref name="highest"/> (the last kind the part's format knows) is corruption at its offset.</summary>
    internal static IntegerEncodingKind ReadIntegerEncoding(ref SpanReader reader, IntegerEncodingKind highest)
    {
        int offset = reader.Position;
        var kind = (IntegerEncodingKind)reader.ReadByte();
        if (kind > highest)
        {
            EncodingCorruption.Throw(offset, $"unknown integer encoding {(byte)kind}");
        }

        return kind;
    }

    /// <summary>A column's encoding byte; one above the highest its type may take in the part's format is corruption at its offset.</summary>
    internal static byte ReadColumnEncoding(ref SpanReader reader, ColumnValueType type, IntegerEncodingKind maxInteger = IntegerEncodingKind.DeltaOfDelta,
        byte maxBytesMode = ColumnCodec.BytesDictionary)
    {
        int offset = reader.Position;
        byte encoding = reader.ReadByte();
        byte max = ColumnValueTypes.IsBytes(type) ? maxBytesMode
            : type == ColumnValueType.Float64 ? (byte)FloatEncodingKind.Plain : (byte)maxInteger;
        if (encoding > max)
        {
            EncodingCorruption.Throw(offset, $"unknown encoding {encoding} for a {type} column");
        }

        return encoding;
    }

    private static long ReadOffset(ref SpanReader reader)
    {
        int offset = reader.Position;
        ulong value = reader.ReadVarUInt64();
        if (value > long.MaxValue)
        {
            EncodingCorruption.Throw(offset, "offset out of range");
        }

        return (long)value;
    }

    private static int ReadSize(ref SpanReader reader, int minFrame = Frame.HeaderSize)
    {
        int offset = reader.Position;
        int size = reader.ReadLength(int.MaxValue);
        if (size < minFrame)
        {
            EncodingCorruption.Throw(offset, $"frame size {size} is smaller than a frame header");
        }

        return size;
    }

    // The header passed its frame's checksum, so a frame reaching past the end of the file it points
    // into means that file was cut: the error names it (the caller makes a bare part file name a path).
    private static void CheckRange(long offset, int size, long fileLength, int headerOffset, string file)
    {
        if (offset < PartFileMagic.HeaderSize)
        {
            EncodingCorruption.Throw(headerOffset, $"frame [{offset}, {offset + size}) lies outside {file} ({fileLength} bytes)");
        }

        if (offset + size > fileLength)
        {
            throw new StorageCorruptionException(file, fileLength, $"file is {fileLength} bytes, but a checksummed block header refers to its bytes [{offset}, {offset + size}): the file was cut short");
        }
    }
}
