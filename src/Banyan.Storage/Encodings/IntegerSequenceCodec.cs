using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Banyan.Storage.Bytes;

namespace Banyan.Storage.Encodings;

/// <summary>
/// Encodes a sequence of 64-bit integers (timestamps, versions, element ids, int64 fields, decimal
/// mantissas) with the smallest of const, delta-const, delta and delta-of-delta zigzag varints, or
/// plain 8-byte values when varints would not help. The count is not stored: the block header has it.
/// </summary>
/// <remarks>
/// Differences are computed with wrapping 64-bit arithmetic, so every input round-trips, including
/// sequences that jump between <see cref="long.MinValue"/> and <see cref="long.MaxValue"/>.
/// Delta-of-delta wins for regular timestamps and counters (Gorilla, VLDB 2015, section 4.1.1);
/// delta wins for random walks; the chooser measures both exactly.
/// </remarks>
public static class IntegerSequenceCodec
{
    /// <summary>Appends the encoding of <paramref name="values"/> to <paramref name="output"/> and returns the kind chosen.</summary>
    public static IntegerEncodingKind Encode(ReadOnlySpan<long> values, ByteBuffer output) => Encode(values, output, allowRice: false);

    /// <summary>
    /// As <see cref="Encode(ReadOnlySpan{long}, ByteBuffer)"/>; with <paramref name="allowRice"/>, the
    /// <see cref="IntegerEncodingKind.Rice"/> code competes too (parts of format version 2: the write-ahead
    /// log and version-1 parts never hold it, so older readers of those stay valid).
    /// </summary>
    public static IntegerEncodingKind Encode(ReadOnlySpan<long> values, ByteBuffer output, bool allowRice)
    {
        ArgumentNullException.ThrowIfNull(output);
        int n = values.Length;
        if (n == 0)
        {
            output.WriteByte((byte)IntegerEncodingKind.Const);
            output.WriteVarInt64(0);
            return IntegerEncodingKind.Const;
        }

        long first = values[0];
        long firstDelta = n > 1 ? unchecked(values[1] - first) : 0;

        // Constant values and constant steps (versions, regular timestamps) are common and need no
        // size measuring: check them first, stopping at the first value that breaks the pattern.
        if (values.IndexOfAnyExcept(first) < 0)
        {
            output.WriteByte((byte)IntegerEncodingKind.Const);
            output.WriteVarInt64(first);
            return IntegerEncodingKind.Const;
        }

        if (HasConstantDelta(values, firstDelta))
        {
            output.WriteByte((byte)IntegerEncodingKind.DeltaConst);
            output.WriteVarInt64(first);
            output.WriteVarInt64(firstDelta);
            return IntegerEncodingKind.DeltaConst;
        }

        long deltaSize = VarInt.SizeOf(VarInt.ZigZag(first));
        long dodSize = deltaSize + VarInt.SizeOf(VarInt.ZigZag(firstDelta));
        long previous = first;
        long previousDelta = firstDelta;
        for (int i = 1; i < n; i++)
        {
            long value = values[i];
            long delta = unchecked(value - previous);
            deltaSize += VarInt.SizeOf(VarInt.ZigZag(delta));
            if (i >= 2)
            {
                dodSize += VarInt.SizeOf(VarInt.ZigZag(unchecked(delta - previousDelta)));
            }

            previous = value;
            previousDelta = delta;
        }

        long plainSize = 8L * n;
        if (allowRice)
        {
            long riceSize = RiceCodec.Plan(values, out RicePlan plan);
            if (riceSize < plainSize + 1 && riceSize < deltaSize + 1 && riceSize < dodSize + 1)
            {
                output.Ensure((int)riceSize);
                RiceCodec.Write(values, plan, output);
                return IntegerEncodingKind.Rice;
            }
        }

        if (plainSize <= deltaSize && plainSize <= dodSize)
        {
            return EncodePlain(values, output);
        }

        if (deltaSize <= dodSize)
        {
            output.WriteByte((byte)IntegerEncodingKind.Delta);
            output.Ensure((int)deltaSize);
            output.WriteVarInt64(first);
            for (int i = 1; i < n; i++)
            {
                output.WriteVarInt64(unchecked(values[i] - values[i - 1]));
            }

            return IntegerEncodingKind.Delta;
        }

        output.WriteByte((byte)IntegerEncodingKind.DeltaOfDelta);
        output.Ensure((int)dodSize);
        output.WriteVarInt64(first);
        output.WriteVarInt64(firstDelta);
        long prevDelta = firstDelta;
        for (int i = 2; i < n; i++)
        {
            long delta = unchecked(values[i] - values[i - 1]);
            output.WriteVarInt64(unchecked(delta - prevDelta));
            prevDelta = delta;
        }

        return IntegerEncodingKind.DeltaOfDelta;
    }

    private static bool HasConstantDelta(ReadOnlySpan<long> values, long delta)
    {
        for (int i = 1; i < values.Length; i++)
        {
            if (unchecked(values[i] - values[i - 1]) != delta)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Appends <paramref name="values"/> as <see cref="IntegerEncodingKind.Const"/> when they are all
    /// equal and as <see cref="IntegerEncodingKind.Plain"/> otherwise, without measuring the varint
    /// encodings: for hashes (series ids) in the write-ahead log, which varints cannot shrink.
    /// </summary>
    public static IntegerEncodingKind EncodeConstOrPlain(ReadOnlySpan<long> values, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (values.IsEmpty || values.IndexOfAnyExcept(values[0]) < 0)
        {
            output.WriteByte((byte)IntegerEncodingKind.Const);
            output.WriteVarInt64(values.IsEmpty ? 0 : values[0]);
            return IntegerEncodingKind.Const;
        }

        return EncodePlain(values, output);
    }

    private static IntegerEncodingKind EncodePlain(ReadOnlySpan<long> values, ByteBuffer output)
    {
        output.WriteByte((byte)IntegerEncodingKind.Plain);
        WritePlainValues(values, output);
        return IntegerEncodingKind.Plain;
    }

    /// <summary>Appends 8 little-endian bytes per value (one memory copy on little-endian machines); float bits go through here too.</summary>
    internal static void WritePlainValues(ReadOnlySpan<long> values, ByteBuffer output)
    {
        int n = values.Length;
        Span<byte> span = output.GetSpan(n * 8)[..(n * 8)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(span);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(span[(i * 8)..], values[i]);
            }
        }

        output.Advance(n * 8);
    }

    /// <summary>Reads what <see cref="WritePlainValues"/> wrote: <paramref name="raw"/> holds 8 bytes per value of <paramref name="destination"/>.</summary>
    internal static void ReadPlainValues(ReadOnlySpan<byte> raw, Span<long> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            raw.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]);
        }
    }

    /// <summary>Decodes exactly <paramref name="destination"/>.Length values from <paramref name="reader"/>.</summary>
    /// <exception cref="StorageCorruptionException">The bytes are not a valid encoding of that many values.</exception>
    public static void Decode(ref SpanReader reader, Span<long> destination)
    {
        int n = destination.Length;
        int kindOffset = reader.Position;
        var kind = (IntegerEncodingKind)reader.ReadByte();
        switch (kind)
        {
            case IntegerEncodingKind.Plain:
                {
                    ReadPlainValues(reader.ReadSpan(checked(n * 8)), destination);
                    return;
                }

            case IntegerEncodingKind.Const:
                destination.Fill(reader.ReadVarInt64());
                return;

            case IntegerEncodingKind.DeltaConst:
                {
                    long value = reader.ReadVarInt64();
                    long delta = reader.ReadVarInt64();
                    for (int i = 0; i < n; i++)
                    {
                        destination[i] = value;
                        value = unchecked(value + delta);
                    }

                    return;
                }

            case IntegerEncodingKind.Delta:
                {
                    if (n == 0)
                    {
                        EncodingCorruption.Throw(kindOffset, "delta encoding of an empty sequence");
                    }

                    long value = reader.ReadVarInt64();
                    destination[0] = value;
                    for (int i = 1; i < n; i++)
                    {
                        value = unchecked(value + reader.ReadVarInt64());
                        destination[i] = value;
                    }

                    return;
                }

            case IntegerEncodingKind.DeltaOfDelta:
                {
                    if (n < 2)
                    {
                        EncodingCorruption.Throw(kindOffset, "delta-of-delta encoding of fewer than 2 values");
                    }

                    long value = reader.ReadVarInt64();
                    long delta = reader.ReadVarInt64();
                    destination[0] = value;
                    value = unchecked(value + delta);
                    destination[1] = value;
                    for (int i = 2; i < n; i++)
                    {
                        delta = unchecked(delta + reader.ReadVarInt64());
                        value = unchecked(value + delta);
                        destination[i] = value;
                    }

                    return;
                }

            case IntegerEncodingKind.Rice:
                RiceCodec.Read(ref reader, destination);
                return;

            default:
                EncodingCorruption.Throw(kindOffset, $"unknown integer encoding {(byte)kind}");
                return;
        }
    }
}
