using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// Serializes the block headers of a format-2 part into primary.bin chunks and parses them back with range
/// checks on every value (layout in docs/format/primary.bin.md). Each header is written as differences
/// from the previous header of its chunk: series id and min timestamp as deltas, frame offsets as the
/// distance from where the previous frame of the same file ended (0 when frames follow each other), and
/// the column list only when it differs from the previous block's. A chunk decodes on its own.
/// </summary>
public sealed class CompactBlockHeaderCodec
{
    private const byte TimestampsStoredFlag = 1;
    private const byte VersionsStoredFlag = 2;
    private const byte SameColumnsFlag = 4;
    private const byte KnownFlags = TimestampsStoredFlag | VersionsStoredFlag | SameColumnsFlag;

    private readonly Dictionary<string, long> _familyEnds = new(StringComparer.Ordinal);
    private BlockHeader? _previous;
    private long _timestampsEnd;
    private long _fieldValuesEnd;

    /// <summary>Forgets the previous header: the next one starts a chunk.</summary>
    public void StartChunk()
    {
        _previous = null;
        _timestampsEnd = 0;
        _fieldValuesEnd = 0;
        _familyEnds.Clear();
    }

    /// <summary>Appends <paramref name="header"/> to the chunk being built, relative to the previous one.</summary>
    public void Write(BlockHeader header, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(output);
        BlockHeader? previous = _previous;
        output.WriteVarUInt64(unchecked(header.SeriesId - (previous?.SeriesId ?? 0)));
        output.WriteVarInt64(header.RowCount - (previous?.RowCount ?? 0));
        output.WriteVarInt64(unchecked(header.MinTimestamp - (previous?.MinTimestamp ?? 0)));
        output.WriteVarInt64(unchecked(Span(header) - (previous is null ? 0 : Span(previous))));
        bool sameColumns = previous is not null && SameColumns(previous, header);
        byte flags = (byte)((header.TimestampsStored ? TimestampsStoredFlag : 0) | (header.VersionsStored ? VersionsStoredFlag : 0) | (sameColumns ? SameColumnsFlag : 0));
        output.WriteByte(flags);
        if (!header.VersionsStored)
        {
            output.WriteVarInt64(header.ConstantVersion);
        }

        if (header.TimestampsStored || header.VersionsStored)
        {
            WriteFrameRef(output, header.TimestampsOffset, header.TimestampsSize, ref _timestampsEnd);
            if (header.TimestampsStored)
            {
                output.WriteByte((byte)header.TimestampsEncoding);
            }

            if (header.VersionsStored)
            {
                output.WriteByte((byte)header.VersionsEncoding);
            }
        }

        IReadOnlyList<ColumnHeader> fields = header.Fields;
        IReadOnlyList<TagFamilyHeader> families = header.TagFamilies;
        if (!sameColumns)
        {
            output.WriteVarUInt64((ulong)fields.Count);
            for (int f = 0; f < fields.Count; f++)
            {
                output.WriteString(fields[f].Name);
                output.WriteByte((byte)fields[f].Type);
            }

            output.WriteVarUInt64((ulong)families.Count);
            for (int t = 0; t < families.Count; t++)
            {
                output.WriteString(families[t].Name);
            }
        }

        for (int f = 0; f < fields.Count; f++)
        {
            ColumnHeader field = fields[f];
            output.WriteByte(field.Encoding);
            output.WriteByte((byte)field.DescriptorLength);
            for (int i = 0; i < field.DescriptorLength; i++)
            {
                output.WriteByte((byte)(field.Descriptor >> (8 * i)));
            }

            WriteFrameRef(output, field.Offset, field.Size, ref _fieldValuesEnd);
            field.Statistics.WriteCompact(output, header.RowCount);
        }

        for (int t = 0; t < families.Count; t++)
        {
            TagFamilyHeader family = families[t];
            long end = _familyEnds.GetValueOrDefault(family.Name);
            WriteFrameRef(output, family.Offset, family.Size, ref end);
            _familyEnds[family.Name] = end;
        }

        _previous = header;
    }

    /// <summary>
    /// Parses a chunk of <paramref name="blockCount"/> headers; every frame must lie inside the file
    /// lengths given (<paramref name="tagMetadataLength"/> is −1 for a family the part does not have);
    /// <paramref name="formatVersion"/> (2 or later) bounds the encodings a column may record.
    /// </summary>
    public static BlockHeader[] ReadChunk(ReadOnlySpan<byte> raw, int blockCount, long timestampsLength, long fieldValuesLength,
        Func<string, long> tagMetadataLength, uint formatVersion)
    {
        byte maxBytesMode = ColumnCodec.HighestBytesMode(formatVersion);
        ArgumentNullException.ThrowIfNull(tagMetadataLength);
        var headers = new BlockHeader[blockCount];
        var reader = new SpanReader(raw);
        var familyEnds = new Dictionary<string, long>(StringComparer.Ordinal);
        long timestampsEnd = 0;
        long fieldValuesEnd = 0;
        BlockHeader? previous = null;
        for (int b = 0; b < blockCount; b++)
        {
            int start = reader.Position;
            ulong seriesId = unchecked(reader.ReadVarUInt64() + (previous?.SeriesId ?? 0));
            long rows = reader.ReadVarInt64() + (previous?.RowCount ?? 0);
            long min = unchecked(reader.ReadVarInt64() + (previous?.MinTimestamp ?? 0));
            ulong span = (ulong)unchecked(reader.ReadVarInt64() + (previous is null ? 0 : Span(previous)));
            long max = unchecked(min + (long)span);
            if (rows <= 0 || rows > BlockHeaderCodec.MaxRowsPerBlock)
            {
                EncodingCorruption.Throw(start, $"block header with {rows} rows");
            }

            int rowCount = (int)rows;
            if (rowCount == 0 || max < min || (rowCount == 1 && span != 0))
            {
                EncodingCorruption.Throw(start, $"block header with {rowCount} rows and time range [{min}, {max}]");
            }

            if (previous is not null && (seriesId < previous.SeriesId || (seriesId == previous.SeriesId && min < previous.MaxTimestamp)))
            {
                EncodingCorruption.Throw(start, "block headers out of (series, time) order");
            }

            int flagsOffset = reader.Position;
            byte flags = reader.ReadByte();
            if ((flags & ~KnownFlags) != 0 || (previous is null && (flags & SameColumnsFlag) != 0))
            {
                EncodingCorruption.Throw(flagsOffset, $"block header flags 0x{flags:X2}");
            }

            bool timestampsStored = (flags & TimestampsStoredFlag) != 0;
            if (!timestampsStored && rowCount > 1 && span % (ulong)(rowCount - 1) != 0)
            {
                EncodingCorruption.Throw(flagsOffset, $"evenly spaced timestamps: span {span} is not a multiple of {rowCount - 1} steps");
            }

            bool versionsStored = (flags & VersionsStoredFlag) != 0;
            long constantVersion = versionsStored ? 0 : reader.ReadVarInt64();
            long tsOffset = 0;
            int tsSize = 0;
            IntegerEncodingKind tsEncoding = IntegerEncodingKind.DeltaConst;
            IntegerEncodingKind versionsEncoding = IntegerEncodingKind.Const;
            if (timestampsStored || versionsStored)
            {
                (tsOffset, tsSize) = ReadFrameRef(ref reader, ref timestampsEnd, timestampsLength, start, PartFileNames.Timestamps);
                if (timestampsStored)
                {
                    tsEncoding = BlockHeaderCodec.ReadIntegerEncoding(ref reader, IntegerEncodingKind.Rice);
                }

                if (versionsStored)
                {
                    versionsEncoding = BlockHeaderCodec.ReadIntegerEncoding(ref reader, IntegerEncodingKind.Rice);
                }
            }

            ColumnHeader[] fields;
            TagFamilyHeader[] families;
            if ((flags & SameColumnsFlag) != 0)
            {
                fields = previous!.Fields.Count == 0 ? [] : new ColumnHeader[previous.Fields.Count];
                for (int f = 0; f < fields.Length; f++)
                {
                    ColumnHeader like = previous.Fields[f];
                    fields[f] = ReadField(ref reader, like.Name, like.Type, rowCount, ref fieldValuesEnd, fieldValuesLength, start, maxBytesMode);
                }

                families = previous.TagFamilies.Count == 0 ? [] : new TagFamilyHeader[previous.TagFamilies.Count];
                for (int t = 0; t < families.Length; t++)
                {
                    families[t] = ReadFamily(ref reader, previous.TagFamilies[t].Name, familyEnds, tagMetadataLength, start);
                }
            }
            else
            {
                int fieldCount = reader.ReadLength(BlockHeaderCodec.MaxColumns);
                var names = fieldCount == 0 ? [] : new (string Name, ColumnValueType Type)[fieldCount];
                for (int f = 0; f < fieldCount; f++)
                {
                    string name = reader.ReadString(ColumnBuffer.MaxNameBytes);
                    for (int g = 0; g < f; g++)
                    {
                        if (names[g].Name == name)
                        {
                            EncodingCorruption.Throw(start, $"field '{name}' appears twice in one block header");
                        }
                    }

                    names[f] = (name, BlockHeaderCodec.ReadType(ref reader));
                }

                int familyCount = reader.ReadLength(BlockHeaderCodec.MaxColumns);
                var familyNames = familyCount == 0 ? [] : new string[familyCount];
                for (int t = 0; t < familyCount; t++)
                {
                    familyNames[t] = reader.ReadString(TagFamilyName.MaxLength);
                }

                fields = fieldCount == 0 ? [] : new ColumnHeader[fieldCount];
                for (int f = 0; f < fieldCount; f++)
                {
                    fields[f] = ReadField(ref reader, names[f].Name, names[f].Type, rowCount, ref fieldValuesEnd, fieldValuesLength, start, maxBytesMode);
                }

                families = familyCount == 0 ? [] : new TagFamilyHeader[familyCount];
                for (int t = 0; t < familyCount; t++)
                {
                    families[t] = ReadFamily(ref reader, familyNames[t], familyEnds, tagMetadataLength, start);
                }
            }

            var header = new BlockHeader(seriesId, rowCount, min, max, tsOffset, tsSize, tsEncoding, versionsEncoding, fields, families, null)
            {
                TimestampsStored = timestampsStored,
                VersionsStored = versionsStored,
                ConstantVersion = constantVersion,
            };
            headers[b] = header;
            previous = header;
        }

        reader.EnsureEnd();
        return headers;
    }

    private static ColumnHeader ReadField(ref SpanReader reader, string name, ColumnValueType type, int rowCount, ref long end, long fileLength, int start,
        byte maxBytesMode)
    {
        byte encoding = BlockHeaderCodec.ReadColumnEncoding(ref reader, type, IntegerEncodingKind.Rice, maxBytesMode);
        int lengthOffset = reader.Position;
        int descriptorLength = reader.ReadByte();
        if (descriptorLength > ColumnHeader.MaxDescriptorLength)
        {
            EncodingCorruption.Throw(lengthOffset, $"field descriptor of {descriptorLength} bytes");
        }

        ulong descriptor = 0;
        for (int i = 0; i < descriptorLength; i++)
        {
            descriptor |= (ulong)reader.ReadByte() << (8 * i);
        }

        (long offset, int size) = ReadFrameRef(ref reader, ref end, fileLength, start, PartFileNames.FieldValues);
        ColumnStatistics statistics = ColumnStatistics.ReadCompact(ref reader, type, rowCount);
        return new ColumnHeader(name, type, offset, size, encoding, statistics) { Descriptor = descriptor, DescriptorLength = descriptorLength };
    }

    private static TagFamilyHeader ReadFamily(ref SpanReader reader, string name, Dictionary<string, long> ends, Func<string, long> tagMetadataLength, int start)
    {
        long length = tagMetadataLength(name);
        if (length < 0)
        {
            EncodingCorruption.Throw(start, $"block refers to tag family '{name}', which the part does not list");
        }

        long end = ends.GetValueOrDefault(name);
        (long offset, int size) = ReadFrameRef(ref reader, ref end, length, start, PartFileNames.TagMetadata(name));
        ends[name] = end;
        return new TagFamilyHeader(name, offset, size);
    }

    // max − min as the u64 bit pattern in a long (the delta from the previous block's is what is stored).
    private static long Span(BlockHeader header) => unchecked(header.MaxTimestamp - header.MinTimestamp);

    private static bool SameColumns(BlockHeader previous, BlockHeader header)
    {
        if (previous.Fields.Count != header.Fields.Count || previous.TagFamilies.Count != header.TagFamilies.Count)
        {
            return false;
        }

        for (int f = 0; f < header.Fields.Count; f++)
        {
            if (previous.Fields[f].Name != header.Fields[f].Name || previous.Fields[f].Type != header.Fields[f].Type)
            {
                return false;
            }
        }

        for (int t = 0; t < header.TagFamilies.Count; t++)
        {
            if (previous.TagFamilies[t].Name != header.TagFamilies[t].Name)
            {
                return false;
            }
        }

        return true;
    }

    // zz-varint (offset − end of the previous frame of this file in the chunk), varint size.
    private static void WriteFrameRef(ByteBuffer output, long offset, int size, ref long end)
    {
        output.WriteVarInt64(unchecked(offset - end));
        output.WriteVarUInt64((ulong)size);
        end = offset + size;
    }

    private static (long Offset, int Size) ReadFrameRef(ref SpanReader reader, ref long end, long fileLength, int headerOffset, string file)
    {
        long offset = unchecked(end + reader.ReadVarInt64());
        int sizeOffset = reader.Position;
        int size = reader.ReadLength(int.MaxValue);
        if (size < CompactFrame.MinSize)
        {
            EncodingCorruption.Throw(sizeOffset, $"frame size {size} is smaller than a frame");
        }

        if (offset < PartFileMagic.HeaderSize || offset > fileLength)
        {
            EncodingCorruption.Throw(headerOffset, $"frame [{offset}, {offset + size}) lies outside {file} ({fileLength} bytes)");
        }

        if (offset + size > fileLength)
        {
            // The header passed its chunk's checksum, so the file it points into was cut.
            throw new StorageCorruptionException(file, fileLength, $"file is {fileLength} bytes, but a checksummed block header refers to its bytes [{offset}, {offset + size}): the file was cut short");
        }

        end = offset + size;
        return (offset, size);
    }
}
