using Banyan.Storage.Encoding;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Shards;

/// <summary>
/// Encodes a <see cref="WriteBatch"/> as the payload of one WAL record and back (layout in
/// <c>docs/format/wal.md</c>, "Shard payload"). Keys are delta-varint coded, which keeps the log
/// small (a few bytes per row instead of 24) without a general-purpose compressor on the write
/// path; columns use the part format's <see cref="ColumnCodec"/>.
/// </summary>
public static class WalBatchCodec
{
    /// <summary>Version byte at the start of every payload.</summary>
    public const byte Version = 1;

    /// <summary>Largest row count accepted when decoding.</summary>
    public const int MaxRows = 1 << 26;

    /// <summary>Largest column count accepted when decoding.</summary>
    public const int MaxColumns = 1 << 16;

    /// <summary>Appends the encoding of <paramref name="batch"/> to <paramref name="output"/>.</summary>
    public static void Encode(WriteBatch batch, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(output);
        batch.Validate();
        output.WriteByte(Version);
        output.WriteByte((byte)batch.Kind);
        int count = batch.Count;
        output.WriteVarUInt64((ulong)count);
        ReadOnlySpan<ulong> series = batch.SeriesIds;
        ReadOnlySpan<long> timestamps = batch.Timestamps;
        ReadOnlySpan<long> versions = batch.Versions;
        ulong previousSeries = 0;
        long previousTimestamp = 0;
        long previousVersion = 0;
        for (int i = 0; i < count; i++)
        {
            // Series ids are hashes: a repeat costs one byte (zero delta), a change costs its xor-free full value.
            if (series[i] == previousSeries && i > 0)
            {
                output.WriteByte(0);
            }
            else
            {
                output.WriteByte(1);
                output.WriteUInt64(series[i]);
                previousSeries = series[i];
            }

            output.WriteVarInt64(timestamps[i] - previousTimestamp);
            output.WriteVarInt64(versions[i] - previousVersion);
            previousTimestamp = timestamps[i];
            previousVersion = versions[i];
        }

        IReadOnlyList<ColumnBuffer> columns = batch.Columns;
        output.WriteVarUInt64((ulong)columns.Count);
        using ByteBuffer scratch = new(1024);
        for (int c = 0; c < columns.Count; c++)
        {
            ColumnBuffer column = columns[c];
            if (column.Family is null)
            {
                output.WriteByte(0);
            }
            else
            {
                output.WriteByte(1);
                output.WriteString(column.Family);
            }

            output.WriteString(column.Name);
            output.WriteByte((byte)column.Type);
            scratch.Clear();
            ColumnCodec.Encode(column, scratch);
            output.WriteVarUInt64((ulong)scratch.Length);
            output.Write(scratch.WrittenSpan);
        }
    }

    /// <summary>Decodes a payload written by <see cref="Encode"/>.</summary>
    /// <exception cref="StorageCorruptionException">The bytes are not a valid payload (source named by <paramref name="source"/>).</exception>
    public static WriteBatch Decode(ReadOnlySpan<byte> payload, string source)
    {
        try
        {
            return DecodeCore(payload);
        }
        catch (StorageCorruptionException ex)
        {
            throw new StorageCorruptionException(source, ex.Offset, "WAL payload: " + ex.Detail, ex);
        }
    }

    private static WriteBatch DecodeCore(ReadOnlySpan<byte> payload)
    {
        SpanReader reader = new(payload);
        byte version = reader.ReadByte();
        if (version != Version)
        {
            EncodingCorruption.Throw(0, $"WAL payload version {version}, this build reads {Version}");
        }

        byte kind = reader.ReadByte();
        if (kind is not ((byte)PartKind.Measure or (byte)PartKind.Stream))
        {
            EncodingCorruption.Throw(1, $"unknown part kind {kind}");
        }

        WriteBatch batch = new((PartKind)kind);
        int count = reader.ReadLength(MaxRows);
        ulong[] series = new ulong[count];
        long[] timestamps = new long[count];
        long[] versions = new long[count];
        ulong currentSeries = 0;
        long currentTimestamp = 0;
        long currentVersion = 0;
        for (int i = 0; i < count; i++)
        {
            int at = reader.Position;
            byte marker = reader.ReadByte();
            if (marker == 1)
            {
                currentSeries = reader.ReadUInt64();
            }
            else if (marker != 0 || i == 0)
            {
                EncodingCorruption.Throw(at, $"row {i}: series marker {marker} is invalid");
            }

            currentTimestamp += reader.ReadVarInt64();
            currentVersion += reader.ReadVarInt64();
            series[i] = currentSeries;
            timestamps[i] = currentTimestamp;
            versions[i] = currentVersion;
        }

        batch.AppendKeys(series, timestamps, versions);
        int columns = reader.ReadLength(MaxColumns);
        DecodeScratch scratch = new();
        for (int c = 0; c < columns; c++)
        {
            int at = reader.Position;
            byte hasFamily = reader.ReadByte();
            if (hasFamily > 1)
            {
                EncodingCorruption.Throw(at, $"column {c}: family flag {hasFamily} is invalid");
            }

            string? family = hasFamily == 1 ? reader.ReadString() : null;
            string name = reader.ReadString();
            at = reader.Position;
            ColumnValueType type = (ColumnValueType)reader.ReadByte();
            if (!ColumnValueTypes.IsDefined(type))
            {
                EncodingCorruption.Throw(at, $"column {c}: unknown value type {(byte)type}");
            }

            int length = reader.ReadLength(reader.Remaining);
            ReadOnlySpan<byte> encoded = reader.ReadSpan(length);
            int index;
            try
            {
                index = batch.AddColumn(family, name, type);
            }
            catch (ArgumentException ex)
            {
                EncodingCorruption.Throw(at, $"column {c}: {ex.Message}");
                throw; // unreachable: Throw does not return
            }

            ColumnBuffer column = new(family, name, type);
            ColumnCodec.Decode(encoded, count, type, column, scratch);
            batch.Columns[index].Reset(family, name, type);
            batch.Columns[index].AppendRange(column, 0, count);
        }

        reader.EnsureEnd();
        return batch;
    }
}
