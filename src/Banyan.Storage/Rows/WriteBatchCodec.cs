using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Banyan.Storage.Bytes;
using Banyan.Storage.Checksums;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Values;

namespace Banyan.Storage.Rows;

/// <summary>
/// Serializes a <see cref="WriteBatch"/> to bytes and back, for the write-ahead log. Columnar and
/// compact: keys and columns use the same encodings as part blocks (docs/format/write-batch.md).
/// <code>
/// u32  magic "BYWB"
/// u8   format version (2, or 3 when entity tags are left out; version 1 had no subject)
/// u8   kind (1 measure, 2 stream)
///      string subject (from version 2; empty for the unnamed subject)
/// var  row count
/// var  column count
///      per column: u8 has-family (0/1), [string family], string name, u8 type
/// int-seq series ids, int-seq timestamps, int-seq versions/element ids
///      version 3 only: var k, k × (var column, var entity position), var rows left out m, [bitmap of the rows when m &lt; rows]
///      per column: var payload length, column payload (ColumnCodec; a left-out column holds only the other rows)
/// u32  CRC-32C of every byte before it
/// </code>
/// Strings are a varint byte length then UTF-8. Not compressed: the WAL decides that.
/// </summary>
public static class WriteBatchCodec
{
    /// <summary>"BYWB" little-endian.</summary>
    public const uint Magic = 0x42575942;

    /// <summary>Format version of a batch written whole: 2 adds the subject (measure or stream name) after the kind.</summary>
    public const byte FormatVersion = 2;

    /// <summary>Format version of a batch that leaves out entity tags (<see cref="EntityOmission"/>): 3.</summary>
    public const byte OmittingFormatVersion = 3;

    /// <summary>Oldest format version read: version 1 batches (no subject) decode as the unnamed subject.</summary>
    public const byte OldestReadVersion = 1;

    /// <summary>Largest row count accepted when decoding.</summary>
    public const int MaxRows = 1 << 24;

    /// <summary>The file name decode errors carry unless the caller gives one.</summary>
    public const string DefaultSource = "(write batch)";

    /// <summary>Appends the serialized <paramref name="batch"/> to <paramref name="output"/>.</summary>
    public static void Encode(WriteBatch batch, ByteBuffer output) => Encode(batch, output, null);

    /// <summary>
    /// Appends the serialized <paramref name="batch"/> to <paramref name="output"/>, leaving out the entity tag values
    /// <paramref name="omission"/> names (format version 3; version 2 when it leaves out nothing). Only for a reader
    /// that can restore them from the series' keys: the shard's WAL, whose replay has the series index.
    /// </summary>
    /// <exception cref="ArgumentException">The omission does not fit the batch: another row count, a column out of range or not a string or binary column.</exception>
    public static void Encode(WriteBatch batch, ByteBuffer output, EntityOmission? omission)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(output);
        batch.Validate();
        if (omission is { IsEmpty: true })
        {
            omission = null;
        }

        if (omission is not null)
        {
            CheckFits(omission, batch);
        }

        int start = output.Length;
        output.WriteUInt32(Magic);
        output.WriteByte(omission is null ? FormatVersion : OmittingFormatVersion);
        output.WriteByte((byte)batch.Kind);
        output.WriteString(batch.Subject);
        output.WriteVarUInt64((ulong)batch.Count);
        output.WriteVarUInt64((ulong)batch.Columns.Count);
        foreach (ColumnBuffer column in batch.Columns)
        {
            output.WriteByte(column.Family is null ? (byte)0 : (byte)1);
            if (column.Family is not null)
            {
                output.WriteString(column.Family);
            }

            output.WriteString(column.Name);
            output.WriteByte((byte)column.Type);
        }

        // Written for speed (every write pays for it; a flush re-encodes compactly): series ids are
        // hashes, so const or plain; float columns without nulls plain. The decoder reads any kind.
        IntegerSequenceCodec.EncodeConstOrPlain(MemoryMarshal.Cast<ulong, long>(batch.SeriesIds), output);
        IntegerSequenceCodec.Encode(batch.Timestamps, output);
        IntegerSequenceCodec.Encode(batch.Versions, output);
        if (omission is not null)
        {
            WriteOmission(omission, batch.Count, output);
        }

        using var payload = new ByteBuffer(1024);
        for (int c = 0; c < batch.Columns.Count; c++)
        {
            ColumnBuffer column = batch.Columns[c];
            payload.Clear();
            if (omission is not null && omission.Columns.Contains(c))
            {
                EncodeKeptRows(column, omission, payload);
            }
            else
            {
                ColumnCodec.Encode(column, payload, plainFloats: true);
            }

            output.WriteVarUInt64((ulong)payload.Length);
            output.Write(payload.WrittenSpan);
        }

        output.WriteUInt32(Crc32C.Compute(output.WrittenSpan[start..]));
    }

    private static void CheckFits(EntityOmission omission, WriteBatch batch)
    {
        if (omission.Rows.Length != batch.Count)
        {
            throw new ArgumentException($"the omission covers {omission.Rows.Length} rows, the batch holds {batch.Count}", nameof(omission));
        }

        for (int i = 0; i < omission.Columns.Length; i++)
        {
            int c = omission.Columns[i];
            if ((uint)c >= (uint)batch.Columns.Count || batch.Columns[c].Type is not (ColumnValueType.String or ColumnValueType.Binary))
            {
                throw new ArgumentException($"omitted column {c}: not a string or binary column of the batch", nameof(omission));
            }

            if (omission.EntityPositions[i] < 0)
            {
                throw new ArgumentException($"omitted column {c}: entity position {omission.EntityPositions[i]}", nameof(omission));
            }
        }
    }

    // The rows left out as a count and, unless that is every row, a bitmap (bit r % 8 of byte r / 8 for row r).
    private static void WriteOmission(EntityOmission omission, int rows, ByteBuffer output)
    {
        output.WriteVarUInt64((ulong)omission.Columns.Length);
        for (int i = 0; i < omission.Columns.Length; i++)
        {
            output.WriteVarUInt64((ulong)omission.Columns[i]);
            output.WriteVarUInt64((ulong)omission.EntityPositions[i]);
        }

        output.WriteVarUInt64((ulong)omission.OmittedRowCount);
        if (omission.OmittedRowCount == rows)
        {
            return;
        }

        ReadOnlySpan<bool> left = omission.Rows;
        for (int at = 0; at < rows; at += 8)
        {
            int bits = 0;
            for (int b = 0; b < 8 && at + b < rows; b++)
            {
                bits |= left[at + b] ? 1 << b : 0;
            }

            output.WriteByte((byte)bits);
        }
    }

    // A left-out column: the rows not left out, encoded as a column of their own; nothing when every row is left out.
    private static void EncodeKeptRows(ColumnBuffer column, EntityOmission omission, ByteBuffer payload)
    {
        if (omission.OmittedRowCount == column.Count)
        {
            return;
        }

        var kept = new ColumnBuffer(column.Family, column.Name, column.Type);
        ReadOnlySpan<bool> left = omission.Rows;
        for (int r = 0; r < column.Count; r++)
        {
            if (!left[r])
            {
                kept.AppendFrom(column, r);
            }
        }

        ColumnCodec.Encode(kept, payload, plainFloats: true);
    }

    /// <summary>Serializes <paramref name="batch"/> to a new array.</summary>
    public static byte[] Encode(WriteBatch batch)
    {
        using var output = new ByteBuffer(4096);
        Encode(batch, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Parses bytes written by <see cref="Encode(WriteBatch, ByteBuffer)"/>.</summary>
    /// <param name="data">Exactly one serialized batch.</param>
    /// <param name="source">File name to report in errors (for example the WAL segment).</param>
    /// <param name="baseOffset">Offset of <paramref name="data"/> in that file.</param>
    /// <exception cref="StorageCorruptionException">The bytes are not a valid batch, or leave out entity tags (version 3).</exception>
    public static WriteBatch Decode(ReadOnlySpan<byte> data, string source = DefaultSource, long baseOffset = 0) => Decode(data, source, baseOffset, null);

    /// <summary>
    /// Parses bytes written by <see cref="Encode(WriteBatch, ByteBuffer, EntityOmission)"/>: entity tags a version 3
    /// batch left out are restored from <paramref name="entityValues"/>, each row's from its series' key.
    /// </summary>
    /// <param name="data">Exactly one serialized batch.</param>
    /// <param name="source">File name to report in errors (for example the WAL segment).</param>
    /// <param name="baseOffset">Offset of <paramref name="data"/> in that file.</param>
    /// <param name="entityValues">The entity values of a series by its id; null when the caller has none, and then a version 3 batch is an error.</param>
    /// <exception cref="StorageCorruptionException">The bytes are not a valid batch, or a left-out tag cannot be restored (unknown series, no such entity position, a number where the column holds bytes).</exception>
    public static WriteBatch Decode(ReadOnlySpan<byte> data, string source, long baseOffset, SeriesEntityBytesLookup? entityValues)
    {
        try
        {
            return DecodeCore(data, entityValues);
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw new StorageCorruptionException(source, baseOffset + Math.Max(0, e.Offset), e.Detail, e);
        }
    }

    private static WriteBatch DecodeCore(ReadOnlySpan<byte> data, SeriesEntityBytesLookup? entityValues)
    {
        if (data.Length < 10)
        {
            EncodingCorruption.Throw(0, $"write batch of {data.Length} bytes is too short");
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]);
        uint actual = Crc32C.Compute(data[..^4]);
        if (crc != actual)
        {
            EncodingCorruption.Throw(data.Length - 4, $"write batch checksum 0x{actual:X8}, stored 0x{crc:X8}");
        }

        var reader = new SpanReader(data[..^4]);
        uint magic = reader.ReadUInt32();
        if (magic != Magic)
        {
            EncodingCorruption.Throw(0, $"magic 0x{magic:X8}, expected 0x{Magic:X8}");
        }

        byte version = reader.ReadByte();
        if (version is < OldestReadVersion or > OmittingFormatVersion)
        {
            EncodingCorruption.Throw(4, $"write batch format version {version}, this build reads {OldestReadVersion} to {OmittingFormatVersion}");
        }

        var kind = (DataKind)reader.ReadByte();
        if (kind is not DataKind.Measure and not DataKind.Stream)
        {
            EncodingCorruption.Throw(5, $"unknown kind {(byte)kind}");
        }

        // Version 1 batches were written by single-subject shards: they belong to the unnamed subject.
        // Strict UTF-8 of at most MaxSubjectBytes bytes: always a valid subject.
        string subject = version >= 2 ? reader.ReadString(WriteBatch.MaxSubjectBytes) : string.Empty;
        int rows = reader.ReadLength(MaxRows);
        int columnCount = reader.ReadLength(4096);
        var batch = new WriteBatch(kind, subject);

        for (int c = 0; c < columnCount; c++)
        {
            int columnOffset = reader.Position;
            byte hasFamily = reader.ReadByte();
            if (hasFamily > 1)
            {
                EncodingCorruption.Throw(columnOffset, $"has-family flag {hasFamily}");
            }

            string? family = hasFamily == 1 ? reader.ReadString(TagFamilyName.MaxLength * 4) : null;
            string name = reader.ReadString(ColumnBuffer.MaxNameBytes);
            var type = (ColumnValueType)reader.ReadByte();
            if (!ColumnValueTypes.IsDefined(type))
            {
                EncodingCorruption.Throw(reader.Position - 1, $"unknown column type {(byte)type}");
            }

            try
            {
                batch.AddColumn(family, name, type);
            }
            catch (ArgumentException e)
            {
                EncodingCorruption.Throw(columnOffset, e.Message);
            }
        }

        batch.PrepareKeys(rows, out Span<ulong> series, out Span<long> timestamps, out Span<long> versions);
        IntegerSequenceCodec.Decode(ref reader, MemoryMarshal.Cast<ulong, long>(series));
        IntegerSequenceCodec.Decode(ref reader, timestamps);
        IntegerSequenceCodec.Decode(ref reader, versions);
        LeftOut? leftOut = version == OmittingFormatVersion ? ReadOmission(ref reader, batch, entityValues) : null;
        var scratch = new DecodeScratch();
        for (int c = 0; c < batch.Columns.Count; c++)
        {
            ColumnBuffer column = batch.Columns[c];
            int length = reader.ReadLength(reader.Remaining);
            int payloadOffset = reader.Position;
            ReadOnlySpan<byte> payload = reader.ReadSpan(length);
            int position = leftOut is null ? -1 : leftOut.PositionOf(c);
            try
            {
                if (position < 0)
                {
                    ColumnCodec.Decode(payload, rows, column.Type, column, scratch);
                }
                else
                {
                    DecodeRestoring(payload, column, position, leftOut!, scratch);
                }
            }
            catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
            {
                EncodingCorruption.Throw(payloadOffset + Math.Max(0, e.Offset), e.Detail);
            }
        }

        reader.EnsureEnd();
        return batch;
    }

    // Version 3's omission section, and the entity of every row it leaves out (one lookup a row, whatever the columns).
    private static LeftOut ReadOmission(ref SpanReader reader, WriteBatch batch, SeriesEntityBytesLookup? entityValues)
    {
        int sectionOffset = reader.Position;
        int columnCount = batch.Columns.Count;
        int listed = reader.ReadLength(columnCount, "left-out column count");
        if (listed == 0)
        {
            EncodingCorruption.Throw(sectionOffset, "version 3 batch leaves out no column");
        }

        int[] positions = new int[columnCount];
        positions.AsSpan().Fill(-1);
        for (int i = 0; i < listed; i++)
        {
            int at = reader.Position;
            int c = reader.ReadLength(columnCount - 1, "left-out column");
            int position = reader.ReadLength(4095, "entity position");
            if (positions[c] >= 0)
            {
                EncodingCorruption.Throw(at, $"column {c} is left out twice");
            }

            if (batch.Columns[c].Type is not (ColumnValueType.String or ColumnValueType.Binary))
            {
                EncodingCorruption.Throw(at, $"left-out column {c} ('{batch.Columns[c].Name}') is {batch.Columns[c].Type}, not a string or binary column");
            }

            positions[c] = position;
        }

        int rows = batch.Count;
        int countOffset = reader.Position;
        int omitted = reader.ReadLength(rows, "left-out row count");
        if (omitted == 0)
        {
            EncodingCorruption.Throw(countOffset, "version 3 batch leaves out no row");
        }

        bool[] left = new bool[rows];
        if (omitted == rows)
        {
            left.AsSpan().Fill(true);
        }
        else
        {
            int bitmapOffset = reader.Position;
            ReadOnlySpan<byte> bitmap = reader.ReadSpan((rows + 7) / 8);
            int set = 0;
            for (int r = 0; r < rows; r++)
            {
                left[r] = (bitmap[r >> 3] & (1 << (r & 7))) != 0;
                set += left[r] ? 1 : 0;
            }

            if (set != omitted || (rows % 8 != 0 && bitmap[^1] >> (rows % 8) != 0))
            {
                EncodingCorruption.Throw(bitmapOffset, $"the bitmap of left-out rows marks {set} rows (or rows past the {rows}), the count says {omitted}");
            }
        }

        if (entityValues is null)
        {
            EncodingCorruption.Throw(sectionOffset, "the batch leaves out entity tags (version 3), and no series index was given to restore them");
        }

        var entities = new SeriesEntityBytes?[rows];
        ReadOnlySpan<ulong> series = batch.SeriesIds;
        for (int r = 0; r < rows; r++)
        {
            if (left[r])
            {
                entities[r] = entityValues!(series[r]) ?? throw new StorageCorruptionException(
                    EncodingCorruption.Source, sectionOffset, $"row {r} leaves out the entity tags of series {series[r]}, which the series index does not hold");
            }
        }

        return new LeftOut(positions, omitted, entities);
    }

    // A left-out column: the kept rows from the payload, the others from their series' key. When every row is left out
    // and their series' bytes lie in one array (a replay's arena), the rows point at them without a copy; otherwise the
    // column is built as a byte column is decoded (one heap): the kept rows' bytes, then each left-out row's value.
    private static void DecodeRestoring(ReadOnlySpan<byte> payload, ColumnBuffer column, int position, LeftOut leftOut, DecodeScratch scratch)
    {
        int rows = leftOut.Entities.Length;
        int keptCount = rows - leftOut.OmittedCount;
        ColumnBuffer? kept = null;
        if (keptCount == 0)
        {
            if (payload.Length != 0)
            {
                EncodingCorruption.Throw(0, $"column '{column.Name}' is left out of every row but carries {payload.Length} bytes");
            }
        }
        else
        {
            kept = new ColumnBuffer(column.Family, column.Name, column.Type);
            ColumnCodec.Decode(payload, keptCount, column.Type, kept, scratch);
        }

        ReadOnlySpan<byte> keptHeap = kept is null ? default : kept.Heap;
        long heapLength = keptHeap.Length;
        byte[]? shared = null;
        bool oneSource = keptCount == 0;
        for (int r = 0; r < rows; r++)
        {
            if (leftOut.Entities[r] is not { } entity)
            {
                continue;
            }

            if (position >= entity.Count)
            {
                EncodingCorruption.Throw(-1, $"column '{column.Name}' is entity tag {position} of row {r}, whose series key holds {entity.Count} values");
            }

            if (entity.KindAt(position) is not (TagValueKind.Str or TagValueKind.Binary or TagValueKind.Null))
            {
                EncodingCorruption.Throw(-1, $"column '{column.Name}' holds bytes, but entity tag {position} of row {r}'s series key is a {entity.KindAt(position)}");
            }

            heapLength += Math.Max(0, entity.LengthAt(position));
            shared ??= entity.Source;
            oneSource &= ReferenceEquals(shared, entity.Source);
        }

        if (oneSource && shared is not null)
        {
            for (int r = 0; r < rows; r++)
            {
                SeriesEntityBytes entity = leftOut.Entities[r]!;
                int length = entity.LengthAt(position);
                if (length < 0)
                {
                    column.AppendNull();
                }
                else
                {
                    column.AppendSharedBytes(shared, entity.StartAt(position), length);
                }
            }

            return;
        }

        if (heapLength > int.MaxValue)
        {
            EncodingCorruption.Throw(-1, $"column '{column.Name}' would restore {heapLength} bytes, more than a column holds");
        }

        byte[] heap = column.PrepareHeap((int)heapLength);
        keptHeap.CopyTo(heap);
        int end = keptHeap.Length;
        column.SetBytesRows(rows, out Span<int> starts, out Span<int> lengths);
        ReadOnlySpan<int> keptStarts = kept is null ? default : kept.Starts;
        ReadOnlySpan<int> keptLengths = kept is null ? default : kept.Lengths;
        int next = 0;
        int nulls = 0;
        for (int r = 0; r < rows; r++)
        {
            if (leftOut.Entities[r] is { } entity)
            {
                int length = entity.LengthAt(position);
                starts[r] = end;
                lengths[r] = length;
                if (length > 0)
                {
                    entity.Source.AsSpan(entity.StartAt(position), length).CopyTo(heap.AsSpan(end));
                    end += length;
                }
            }
            else
            {
                starts[r] = keptStarts[next];
                lengths[r] = keptLengths[next];
                next++;
            }

            nulls += lengths[r] < 0 ? 1 : 0;
        }

        column.SetNullCount(nulls);
    }

    // What a version 3 batch leaves out: per column its entity position (-1: written whole), and per row its series'
    // entity when the row is left out (null when it is not).
    private sealed class LeftOut(int[] positions, int omittedCount, SeriesEntityBytes?[] entities)
    {
        public int OmittedCount { get; } = omittedCount;

        public SeriesEntityBytes?[] Entities { get; } = entities;

        public int PositionOf(int column) => positions[column];
    }
}
