using System.Buffers;
using Banyan.Storage.Bytes;
using Banyan.Storage.Encodings;
using Banyan.Storage.Values;

namespace Banyan.Storage.Columns;

/// <summary>
/// Encodes one column of a block (before compression) and decodes it back into a
/// <see cref="ColumnBuffer"/>. Layouts are in <c>docs/format/encodings.md</c>:
/// integer and float columns are a null bitmap (when any row is null) followed by the non-null
/// values as an integer or float sequence; byte-string columns (strings, binaries, arrays) are
/// dictionary-encoded when that is smaller (few distinct values), otherwise length-prefixed.
/// </summary>
public static class ColumnCodec
{
    /// <summary>Bytes-column mode byte: length-prefixed values.</summary>
    public const byte BytesPlain = 0;

    /// <summary>Bytes-column mode byte: dictionary of distinct values, then per-row indexes.</summary>
    public const byte BytesDictionary = 1;

    /// <summary>
    /// Bytes-column mode byte: every row holds the same non-null value, written once (parts of format version 3
    /// and later). A measure's entity tags are constant over a block of one series, so this is their usual mode.
    /// </summary>
    public const byte BytesConstant = 2;

    /// <summary>
    /// Bytes-column mode of a tag directory entry (parts of format version 4 and later), never a payload byte: every row
    /// holds the block's series' value of this entity tag, which the series index keeps in the series key, so the part
    /// stores no bytes for the column (its frame size is 0) and the reader takes the value from the index.
    /// </summary>
    public const byte BytesFromSeriesKey = 3;

    /// <summary>The dictionary is abandoned beyond this many distinct values.</summary>
    public const int MaxDictionaryEntries = 1024;

    /// <summary>
    /// Appends the encoding of <paramref name="column"/> to <paramref name="output"/> and returns the
    /// encoding chosen (an <see cref="IntegerEncodingKind"/>, a <see cref="FloatEncodingKind"/>, or
    /// <see cref="BytesPlain"/> / <see cref="BytesDictionary"/>), which block headers record.
    /// </summary>
    public static byte Encode(ColumnBuffer column, ByteBuffer output) => Encode(column, output, plainFloats: false);

    /// <summary>
    /// As <see cref="Encode(ColumnBuffer, ByteBuffer)"/>, but float64 columns without nulls are written
    /// <see cref="FloatEncodingKind.Plain"/> when <paramref name="plainFloats"/> is set: the write-ahead
    /// log takes 8 bytes per value rather than spend the decimal conversion on every write (a part
    /// encodes them compactly at flush). The layout is one the decoder reads either way.
    /// </summary>
    public static byte Encode(ColumnBuffer column, ByteBuffer output, bool plainFloats) => Encode(column, output, plainFloats, allowRice: false, allowConstantBytes: false);

    /// <summary>
    /// Encodes <paramref name="column"/> with the encodings a part of <paramref name="formatVersion"/> may hold:
    /// version 1 those of <see cref="Encode(ColumnBuffer, ByteBuffer)"/>, version 2 adds
    /// <see cref="IntegerEncodingKind.Rice"/>, version 3 adds <see cref="BytesConstant"/>.
    /// </summary>
    public static byte EncodeForPart(ColumnBuffer column, ByteBuffer output, uint formatVersion) =>
        Encode(column, output, plainFloats: false, allowRice: formatVersion >= 2, allowConstantBytes: formatVersion >= 3);

    /// <summary>The highest byte-column payload mode a part of <paramref name="formatVersion"/> may record.</summary>
    public static byte HighestBytesMode(uint formatVersion) => formatVersion >= 3 ? BytesConstant : BytesDictionary;

    /// <summary>True when a tag directory of a part of <paramref name="formatVersion"/> may say <see cref="BytesFromSeriesKey"/> for a column of <paramref name="type"/>.</summary>
    public static bool AllowsFromSeriesKey(uint formatVersion, ColumnValueType type) =>
        formatVersion >= 4 && type is ColumnValueType.String or ColumnValueType.Binary;

    /// <summary>
    /// True when <paramref name="payload"/> (an encoded column of <paramref name="type"/> with
    /// <paramref name="rowCount"/> rows) ends in a Rice bit stream, which general-purpose compression
    /// cannot shrink: the part writer then stores it without trying.
    /// </summary>
    public static bool IsRiceCoded(ReadOnlySpan<byte> payload, ColumnValueType type, int rowCount)
    {
        if (ColumnValueTypes.IsBytes(type) || payload.IsEmpty || payload[0] > 1)
        {
            return false;
        }

        int position = payload[0] == 0 ? 1 : 1 + ((rowCount + 7) / 8);
        if (type == ColumnValueType.Float64)
        {
            if (position >= payload.Length || payload[position] != (byte)FloatEncodingKind.DecimalMantissa)
            {
                return false;
            }

            position++;
            while (position < payload.Length && payload[position] >= 0x80)
            {
                position++; // the exponent's varint
            }

            position++;
        }

        return position < payload.Length && payload[position] == (byte)IntegerEncodingKind.Rice;
    }

    private static byte Encode(ColumnBuffer column, ByteBuffer output, bool plainFloats, bool allowRice, bool allowConstantBytes)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(output);
        if (ColumnValueTypes.IsBytes(column.Type))
        {
            return allowConstantBytes && TryEncodeConstantBytes(column, output) ? BytesConstant : EncodeBytes(column, output);
        }

        int n = column.Count;
        int nonNull = n - column.NullCount;
        if (column.NullCount == 0)
        {
            output.WriteByte(0);
            if (column.Type != ColumnValueType.Float64)
            {
                return (byte)IntegerSequenceCodec.Encode(column.Int64Values, output, allowRice);
            }

            return plainFloats
                ? (byte)FloatSequenceCodec.EncodePlain(column.Float64Values, output)
                : (byte)FloatSequenceCodec.Encode(column.Float64Values, output, allowRice);
        }

        output.WriteByte(1);
        ReadOnlySpan<bool> nulls = column.NullFlags;
        Span<byte> bitmap = output.GetSpan((n + 7) / 8)[..((n + 7) / 8)];
        bitmap.Clear();
        for (int i = 0; i < n; i++)
        {
            if (nulls[i])
            {
                bitmap[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        output.Advance(bitmap.Length);
        if (column.Type == ColumnValueType.Float64)
        {
            double[] compact = ArrayPool<double>.Shared.Rent(Math.Max(1, nonNull));
            ReadOnlySpan<double> values = column.Float64Values;
            int k = 0;
            for (int i = 0; i < n; i++)
            {
                if (!nulls[i])
                {
                    compact[k++] = values[i];
                }
            }

            FloatEncodingKind kind = FloatSequenceCodec.Encode(compact.AsSpan(0, k), output, allowRice);
            ArrayPool<double>.Shared.Return(compact);
            return (byte)kind;
        }
        else
        {
            long[] compact = ArrayPool<long>.Shared.Rent(Math.Max(1, nonNull));
            ReadOnlySpan<long> values = column.Int64Values;
            int k = 0;
            for (int i = 0; i < n; i++)
            {
                if (!nulls[i])
                {
                    compact[k++] = values[i];
                }
            }

            IntegerEncodingKind kind = IntegerSequenceCodec.Encode(compact.AsSpan(0, k), output, allowRice);
            ArrayPool<long>.Shared.Return(compact);
            return (byte)kind;
        }
    }

    /// <summary>
    /// Decodes <paramref name="rowCount"/> rows of a column of type <paramref name="type"/> from
    /// <paramref name="payload"/> (which must be consumed exactly) into <paramref name="destination"/>,
    /// whose previous content is replaced. <paramref name="scratch"/> is caller-owned working space.
    /// Returns the encoding found in the payload (as <see cref="Encode(ColumnBuffer, ByteBuffer)"/> returns it).
    /// </summary>
    /// <exception cref="StorageCorruptionException">The payload is not a valid encoding.</exception>
    public static byte Decode(ReadOnlySpan<byte> payload, int rowCount, ColumnValueType type, ColumnBuffer destination, DecodeScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(scratch);
        if (destination.Type != type)
        {
            throw new ArgumentException($"destination column '{destination.Name}' has type {destination.Type}, expected {type}", nameof(destination));
        }

        if (ColumnValueTypes.IsBytes(type))
        {
            return DecodeBytes(payload, rowCount, type, destination);
        }

        var reader = new SpanReader(payload);
        byte flags = reader.ReadByte();
        if (flags > 1)
        {
            EncodingCorruption.Throw(0, $"unknown column flags {flags}");
        }

        if (flags == 0)
        {
            byte encoding = PeekEncoding(ref reader);
            if (type == ColumnValueType.Float64)
            {
                FloatSequenceCodec.Decode(ref reader, destination.PrepareFloat64Rows(rowCount), scratch.Longs(rowCount));
            }
            else
            {
                IntegerSequenceCodec.Decode(ref reader, destination.PrepareInt64Rows(rowCount));
            }

            reader.EnsureEnd();
            return encoding;
        }

        int bitmapOffset = reader.Position;
        ReadOnlySpan<byte> bitmap = reader.ReadSpan((rowCount + 7) / 8);
        int nullCount = 0;
        for (int i = 0; i < rowCount; i++)
        {
            nullCount += (bitmap[i >> 3] >> (i & 7)) & 1;
        }

        if ((rowCount & 7) != 0 && (bitmap[^1] >> (rowCount & 7)) != 0)
        {
            EncodingCorruption.Throw(bitmapOffset + bitmap.Length - 1, "null bitmap has bits set past the last row");
        }

        int nonNull = rowCount - nullCount;
        byte kind = PeekEncoding(ref reader);
        if (type == ColumnValueType.Float64)
        {
            Span<double> compact = scratch.Doubles(nonNull);
            FloatSequenceCodec.Decode(ref reader, compact, scratch.Longs(nonNull));
            Span<double> values = destination.PrepareFloat64Rows(rowCount);
            Span<bool> nulls = destination.PrepareNulls(rowCount, nullCount);
            int k = 0;
            for (int i = 0; i < rowCount; i++)
            {
                bool isNull = ((bitmap[i >> 3] >> (i & 7)) & 1) != 0;
                nulls[i] = isNull;
                values[i] = isNull ? 0 : compact[k++];
            }
        }
        else
        {
            Span<long> compact = scratch.Longs(nonNull);
            IntegerSequenceCodec.Decode(ref reader, compact);
            Span<long> values = destination.PrepareInt64Rows(rowCount);
            Span<bool> nulls = destination.PrepareNulls(rowCount, nullCount);
            int k = 0;
            for (int i = 0; i < rowCount; i++)
            {
                bool isNull = ((bitmap[i >> 3] >> (i & 7)) & 1) != 0;
                nulls[i] = isNull;
                values[i] = isNull ? 0 : compact[k++];
            }
        }

        reader.EnsureEnd();
        return kind;
    }

    private static byte PeekEncoding(ref SpanReader reader)
    {
        if (reader.Remaining == 0)
        {
            EncodingCorruption.Throw(reader.Position, "column payload ends before its encoding byte");
        }

        return reader.RemainingSpan[0];
    }

    // Mode 2 when there are two or more rows, none null, all equal: 1 + varint + the value's bytes, smaller than the
    // dictionary's (which adds an entry count and an index per row) and than plain. Rows appended as repeats of the row
    // before are known equal without comparing; the comparison stops at the first other value.
    private static bool TryEncodeConstantBytes(ColumnBuffer column, ByteBuffer output)
    {
        int n = column.Count;
        if (n < 2 || column.NullCount != 0)
        {
            return false;
        }

        ReadOnlySpan<int> starts = column.Starts;
        ReadOnlySpan<int> lengths = column.Lengths;
        ReadOnlySpan<byte> heap = column.Heap;
        ReadOnlySpan<byte> first = heap.Slice(starts[0], lengths[0]);
        for (int i = 1; i < n; i++)
        {
            if (!column.SharesBytesWithRowBefore(i) && !heap.Slice(starts[i], lengths[i]).SequenceEqual(first))
            {
                return false;
            }
        }

        output.WriteByte(BytesConstant);
        output.WriteVarUInt64((ulong)first.Length);
        output.Write(first);
        return true;
    }

    private static byte EncodeBytes(ColumnBuffer column, ByteBuffer output)
    {
        int n = column.Count;
        ReadOnlySpan<int> starts = column.Starts;
        ReadOnlySpan<int> lengths = column.Lengths;
        ReadOnlySpan<byte> heap = column.Heap;

        long plainSize = 1;
        for (int i = 0; i < n; i++)
        {
            int length = lengths[i];
            plainSize += length < 0 ? 1 : VarInt.SizeOf((ulong)length + 1) + length;
        }

        // Dictionary attempt: open addressing over row numbers of the first occurrence of each value.
        int tableSize = 16;
        while (tableSize < Math.Min(n, MaxDictionaryEntries) * 2)
        {
            tableSize <<= 1;
        }

        int[] table = ArrayPool<int>.Shared.Rent(tableSize);
        int[] entryRows = ArrayPool<int>.Shared.Rent(MaxDictionaryEntries);
        int[] rowEntries = ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        try
        {
            table.AsSpan(0, tableSize).Fill(-1);
            int entries = 0;
            long dictSize = 1;
            bool useDictionary = n > 1;
            for (int i = 0; i < n && useDictionary; i++)
            {
                int length = lengths[i];
                if (length < 0)
                {
                    rowEntries[i] = 0;
                    dictSize += 1;
                    continue;
                }

                if (column.SharesBytesWithRowBefore(i) && rowEntries[i - 1] > 0)
                {
                    // The row before's bytes, so its entry: no hash, no lookup (a series' tags repeated in its block).
                    rowEntries[i] = rowEntries[i - 1];
                    dictSize += VarInt.SizeOf((ulong)rowEntries[i]);
                    continue;
                }

                ReadOnlySpan<byte> value = heap.Slice(starts[i], length);
                int slot = (int)((uint)Hash(value) & (uint)(tableSize - 1));
                int entry = -1;
                while (table[slot] >= 0)
                {
                    int candidate = table[slot];
                    int row = entryRows[candidate];
                    if (heap.Slice(starts[row], lengths[row]).SequenceEqual(value))
                    {
                        entry = candidate;
                        break;
                    }

                    slot = (slot + 1) & (tableSize - 1);
                }

                if (entry < 0)
                {
                    if (entries == MaxDictionaryEntries || entries * 2 >= tableSize - 1)
                    {
                        useDictionary = false;
                        break;
                    }

                    entry = entries++;
                    entryRows[entry] = i;
                    table[slot] = entry;
                    dictSize += VarInt.SizeOf((ulong)length) + length;
                }

                rowEntries[i] = entry + 1;
                dictSize += VarInt.SizeOf((ulong)(entry + 1));
            }

            dictSize += VarInt.SizeOf((ulong)entries);
            if (useDictionary && dictSize < plainSize)
            {
                output.WriteByte(BytesDictionary);
                output.WriteVarUInt64((ulong)entries);
                for (int e = 0; e < entries; e++)
                {
                    int row = entryRows[e];
                    output.WriteVarUInt64((ulong)lengths[row]);
                    output.Write(heap.Slice(starts[row], lengths[row]));
                }

                for (int i = 0; i < n; i++)
                {
                    output.WriteVarUInt64((ulong)rowEntries[i]);
                }

                return BytesDictionary;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(table);
            ArrayPool<int>.Shared.Return(entryRows);
            ArrayPool<int>.Shared.Return(rowEntries);
        }

        output.WriteByte(BytesPlain);
        output.Ensure((int)Math.Min(int.MaxValue, plainSize));
        for (int i = 0; i < n; i++)
        {
            int length = lengths[i];
            if (length < 0)
            {
                output.WriteByte(0);
            }
            else
            {
                output.WriteVarUInt64((ulong)length + 1);
                output.Write(heap.Slice(starts[i], length));
            }
        }

        return BytesPlain;
    }

    // The dictionary's slot hash: only compared within one encoding, never stored, so any good hash gives the same bytes.
    // XXH3 reads 16-byte lanes; HashCode.AddBytes went 4 bytes at a time and was a third of a WAL record's encoding of
    // a measure's entity tags (docs/benchmarks.md, "What a series' tags cost").
    private static int Hash(ReadOnlySpan<byte> value) => unchecked((int)System.IO.Hashing.XxHash3.HashToUInt64(value));

    private static byte DecodeBytes(ReadOnlySpan<byte> payload, int rowCount, ColumnValueType type, ColumnBuffer destination)
    {
        // The payload is copied once into the column's heap; rows then point into it, so no per-row copy.
        byte[] heap = destination.PrepareHeap(payload.Length);
        payload.CopyTo(heap);
        destination.SetBytesRows(rowCount, out Span<int> starts, out Span<int> lengths);
        var reader = new SpanReader(payload);
        byte mode = reader.ReadByte();
        int nullCount = 0;
        if (mode == BytesPlain)
        {
            for (int i = 0; i < rowCount; i++)
            {
                int length = reader.ReadLength(payload.Length + 1) - 1;
                starts[i] = reader.Position;
                lengths[i] = length;
                if (length < 0)
                {
                    nullCount++;
                    continue;
                }

                ValidateValue(type, reader.ReadSpan(length), reader.Position - length);
            }
        }
        else if (mode == BytesDictionary)
        {
            int entryCount = reader.ReadLength(Math.Min(payload.Length, MaxDictionaryEntries));
            Span<int> entryStarts = entryCount <= 256 ? stackalloc int[entryCount] : new int[entryCount];
            Span<int> entryLengths = entryCount <= 256 ? stackalloc int[entryCount] : new int[entryCount];
            for (int e = 0; e < entryCount; e++)
            {
                int length = reader.ReadLength(payload.Length);
                entryStarts[e] = reader.Position;
                entryLengths[e] = length;
                ValidateValue(type, reader.ReadSpan(length), entryStarts[e]);
            }

            for (int i = 0; i < rowCount; i++)
            {
                int index = reader.ReadLength(entryCount);
                if (index == 0)
                {
                    starts[i] = 0;
                    lengths[i] = -1;
                    nullCount++;
                }
                else
                {
                    starts[i] = entryStarts[index - 1];
                    lengths[i] = entryLengths[index - 1];
                }
            }
        }
        else if (mode == BytesConstant)
        {
            int length = reader.ReadLength(payload.Length);
            int start = reader.Position;
            ValidateValue(type, reader.ReadSpan(length), start);
            starts.Fill(start);
            lengths.Fill(length);
        }
        else
        {
            EncodingCorruption.Throw(0, $"unknown byte-column mode {mode}");
        }

        reader.EnsureEnd();
        destination.SetNullCount(nullCount);
        return mode;
    }

    /// <summary>Arrays are parsed when decoded, so accessors never meet a malformed array later.</summary>
    private static void ValidateValue(ColumnValueType type, ReadOnlySpan<byte> value, int offset)
    {
        if (type == ColumnValueType.StringArray)
        {
            var reader = new SpanReader(value);
            int count = reader.ReadLength(value.Length);
            for (int i = 0; i < count; i++)
            {
                reader.ReadSpan(reader.ReadLength(value.Length));
            }

            if (reader.Remaining != 0)
            {
                EncodingCorruption.Throw(offset + reader.Position, "trailing bytes after a string array");
            }
        }
        else if (type == ColumnValueType.Int64Array)
        {
            var reader = new SpanReader(value);
            int count = reader.ReadLength(value.Length);
            for (int i = 0; i < count; i++)
            {
                reader.ReadVarUInt64();
            }

            if (reader.Remaining != 0)
            {
                EncodingCorruption.Throw(offset + reader.Position, "trailing bytes after an int64 array");
            }
        }
    }
}
