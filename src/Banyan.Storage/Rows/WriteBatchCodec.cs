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
/// u8   format version (2; version 1 had no subject)
/// u8   kind (1 measure, 2 stream)
///      string subject (version 2 only; empty for the unnamed subject)
/// var  row count
/// var  column count
///      per column: u8 has-family (0/1), [string family], string name, u8 type
/// int-seq series ids, int-seq timestamps, int-seq versions/element ids
///      per column: var payload length, column payload (ColumnCodec)
/// u32  CRC-32C of every byte before it
/// </code>
/// Strings are a varint byte length then UTF-8. Not compressed: the WAL decides that.
/// </summary>
public static class WriteBatchCodec
{
    /// <summary>"BYWB" little-endian.</summary>
    public const uint Magic = 0x42575942;

    /// <summary>Format version written: 2 adds the subject (measure or stream name) after the kind.</summary>
    public const byte FormatVersion = 2;

    /// <summary>Oldest format version read: version 1 batches (no subject) decode as the unnamed subject.</summary>
    public const byte OldestReadVersion = 1;

    /// <summary>Largest row count accepted when decoding.</summary>
    public const int MaxRows = 1 << 24;

    /// <summary>The file name decode errors carry unless the caller gives one.</summary>
    public const string DefaultSource = "(write batch)";

    /// <summary>Appends the serialized <paramref name="batch"/> to <paramref name="output"/>.</summary>
    public static void Encode(WriteBatch batch, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(output);
        batch.Validate();
        int start = output.Length;
        output.WriteUInt32(Magic);
        output.WriteByte(FormatVersion);
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
        using var payload = new ByteBuffer(1024);
        foreach (ColumnBuffer column in batch.Columns)
        {
            payload.Clear();
            ColumnCodec.Encode(column, payload, plainFloats: true);
            output.WriteVarUInt64((ulong)payload.Length);
            output.Write(payload.WrittenSpan);
        }

        output.WriteUInt32(Crc32C.Compute(output.WrittenSpan[start..]));
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
    /// <exception cref="StorageCorruptionException">The bytes are not a valid batch.</exception>
    public static WriteBatch Decode(ReadOnlySpan<byte> data, string source = DefaultSource, long baseOffset = 0)
    {
        try
        {
            return DecodeCore(data);
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw new StorageCorruptionException(source, baseOffset + Math.Max(0, e.Offset), e.Detail, e);
        }
    }

    private static WriteBatch DecodeCore(ReadOnlySpan<byte> data)
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
        if (version is < OldestReadVersion or > FormatVersion)
        {
            EncodingCorruption.Throw(4, $"write batch format version {version}, this build reads {OldestReadVersion} to {FormatVersion}");
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
        var scratch = new DecodeScratch();
        foreach (ColumnBuffer column in batch.Columns)
        {
            int length = reader.ReadLength(reader.Remaining);
            int payloadOffset = reader.Position;
            ReadOnlySpan<byte> payload = reader.ReadSpan(length);
            try
            {
                ColumnCodec.Decode(payload, rows, column.Type, column, scratch);
            }
            catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
            {
                EncodingCorruption.Throw(payloadOffset + e.Offset, e.Detail);
            }
        }

        reader.EnsureEnd();
        return batch;
    }
}
