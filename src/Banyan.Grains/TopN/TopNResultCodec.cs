using System.IO.Hashing;
using Banyan.Storage;
using Banyan.Storage.Bytes;
using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// The bytes of one persisted ranked list (the binary field of a <c>_top_n_result</c> row), byte by byte in
/// <c>docs/format/topn-result.md</c>. Little-endian; format 2 is written:
/// <code>
/// u8   format version (2)
/// u8   value type: 1 INT (i64), 2 FLOAT (f64 bits)
/// var  item count n (at most <see cref="MaxItems"/>)
/// n values, best first: INT: zigzag varint of the difference to the value before (the first: to 0);
///                       FLOAT: i64 f64 bits
/// n vars, best first: the index of the item's entity among the entities below (a permutation of 0 .. n-1)
/// n entities in ascending order of their bytes, each front-coded against the one before:
///        var bytes shared with the entity before (0 for the first), var length of the rest, the rest.
///        An entity's bytes: var value count, then per value: u8 kind (TagValueKind), payload:
///        0 null: none · 1 str: var length, UTF-8 · 2 int: i64 · 4 binary: var length, bytes ·
///        5 str array: var count, each var length + UTF-8 · 6 int array: var count, each i64 · 7 timestamp: i64 ns
/// u32  CRC-32 (IEEE) of every byte before it
/// </code>
/// Format 1 (still read) stored per item the u64 source series id, the i64 value and the entity bytes. Format 2 drops
/// the id (the hash of the source measure's name and the entity, <see cref="TopNItem"/>) and is laid out for the
/// part's compressor, which sees about 16 lists of consecutive windows in one block: the ranked values differ by a
/// byte or two; the entities of a window's top 1,000 are mostly those of the window before but in another order, so
/// sorted and front-coded they repeat from list to list, and the order is the permutation (about 10 bits an item).
/// On the benchmark's lists (entities of three base64 ids, 127 bytes) this is 2.2 times smaller than format 1 after
/// compression (<c>docs/benchmarks.md</c>, "TopN lists without series ids").
/// A damaged value is reported as <see cref="StorageCorruptionException"/> naming where it was read and the offset.
/// </summary>
internal static class TopNResultCodec
{
    /// <summary>The format version written.</summary>
    public const byte Version = 2;

    /// <summary>The first format: every item with its series id; read, no longer written.</summary>
    public const byte Version1 = 1;

    /// <summary>Largest item count accepted when decoding (far above any <c>counters_number</c> in use).</summary>
    public const int MaxItems = 1 << 20;

    /// <summary>Most values one entity may have when decoding.</summary>
    internal const int MaxEntityValues = 1024;

    /// <summary>The value type byte of an INT list.</summary>
    internal const byte IntType = 1;

    /// <summary>The value type byte of a FLOAT list.</summary>
    internal const byte FloatType = 2;

    /// <summary>Encodes <paramref name="items"/> (values of one type: <paramref name="isFloat"/>) in format 2.</summary>
    /// <param name="items">The list, best first.</param>
    /// <param name="isFloat">True for FLOAT values, false for INT.</param>
    /// <param name="order">
    /// The ranks of the items' entities when the write path knows them (<see cref="TopNSeriesTags.Order"/>): the entities
    /// are then put in byte order by their ranks instead of by comparing their bytes; the bytes written are the same.
    /// </param>
    public static byte[] Encode(IReadOnlyList<TopNItem> items, bool isFloat, TopNEntityOrder? order = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        return Encode(new TopNItemList(items), isFloat, order);
    }

    /// <summary>
    /// <see cref="Encode(IReadOnlyList{TopNItem}, bool, TopNEntityOrder?)"/> for items read through
    /// <see cref="ITopNRankedItems"/> (a flush encodes a list's slots, <see cref="TopNCounters.RankSlots"/>).
    /// </summary>
    public static byte[] Encode<TItems>(TItems items, bool isFloat, TopNEntityOrder? order = null)
        where TItems : ITopNRankedItems
    {
        int count = items.Count;
        using ByteBuffer buffer = new(64 + (count * 32));
        buffer.WriteByte(Version);
        buffer.WriteByte(isFloat ? FloatType : IntType);
        buffer.WriteVarUInt64((ulong)count);
        long previous = 0;
        for (int i = 0; i < count; i++)
        {
            if (isFloat)
            {
                buffer.WriteInt64(BitConverter.DoubleToInt64Bits(items.ValueAt(i).Float));
            }
            else
            {
                // Wrapping arithmetic: any i64 sequence round-trips, a ranked one costs a byte or two per value.
                long value = items.ValueAt(i).Int;
                buffer.WriteVarInt64(unchecked(value - previous));
                previous = value;
            }
        }

        // The entities' bytes side by side (entity i at starts[i] .. starts[i + 1]), then their order.
        using ByteBuffer entities = new(64 + (count * 64));
        int[] starts = new int[count + 1];
        for (int i = 0; i < count; i++)
        {
            starts[i] = entities.Length;
            if (items.EntityBytesAt(i) is { } known)
            {
                entities.Write(known);
            }
            else
            {
                WriteEntity(entities, items.EntityAt(i));
            }
        }

        starts[count] = entities.Length;
        int[] sorted = SortedByEntity(items, entities, starts, order);
        int[] rankOf = new int[count];
        for (int i = 0; i < count; i++)
        {
            rankOf[sorted[i]] = i;
        }

        for (int i = 0; i < count; i++)
        {
            buffer.WriteVarUInt64((ulong)rankOf[i]);
        }

        ReadOnlySpan<byte> before = [];
        foreach (int i in sorted)
        {
            ReadOnlySpan<byte> entity = entities.WrittenSpan[starts[i]..starts[i + 1]];
            int shared = entity.CommonPrefixLength(before);
            buffer.WriteVarUInt64((ulong)shared);
            buffer.WriteLengthPrefixed(entity[shared..]);
            before = entity;
        }

        buffer.WriteUInt32(Crc32.HashToUInt32(buffer.WrittenSpan));
        return buffer.ToArray();
    }

    // The items' positions in ascending order of their entities' bytes (equal ones by position).
    private static int[] SortedByEntity<TItems>(TItems items, ByteBuffer entities, int[] starts, TopNEntityOrder? order)
        where TItems : ITopNRankedItems
    {
        int count = items.Count;
        int[] sorted = new int[count];
        if (order is not null && count > 1)
        {
            long[] keys = new long[count];
            if (order.TryKeys(items, keys))
            {
                Array.Sort(keys);
                for (int i = 0; i < count; i++)
                {
                    sorted[i] = (int)(uint)keys[i];
                }

                return sorted;
            }
        }

        for (int i = 0; i < count; i++)
        {
            sorted[i] = i;
        }

        Array.Sort(sorted, new EntityOrder(entities, starts));
        return sorted;
    }

    /// <summary>
    /// Decodes what <see cref="Encode"/> wrote, or a list of format 1; <paramref name="where"/> names the row in errors.
    /// Items of a format 2 list get their series id from <paramref name="sourceSubject"/>, the source measure's name, when
    /// first asked (<see cref="TopNItem.Derived"/>).
    /// </summary>
    /// <exception cref="StorageCorruptionException">The bytes are damaged: checksum, version, type, a length or a value.</exception>
    public static (TopNItem[] Items, bool IsFloat) Decode(ReadOnlySpan<byte> bytes, string where, string sourceSubject)
    {
        TopNListReader reader = TopNListReader.Open(bytes, where);
        try
        {
            TopNItem[] items = new TopNItem[reader.Count];
            int i = 0;
            while (reader.MoveNext())
            {
                TagValue[] entity = ReadEntity(reader.Entity, where, reader.EntityOffset);
                items[i++] = reader.StoredSeriesId is { } stored ? new TopNItem(stored, reader.Value, entity) : TopNItem.Derived(sourceSubject, reader.Value, entity);
            }

            return (items, reader.IsFloat);
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>The bytes <see cref="WriteEntity"/> writes for <paramref name="entity"/>, in an array of their own.</summary>
    public static byte[] EntityBytes(TagValue[] entity)
    {
        using ByteBuffer buffer = new(64);
        WriteEntity(buffer, entity);
        return buffer.ToArray();
    }

    /// <summary>Writes the bytes of <paramref name="entity"/> as a list stores them (the merge key of a query, <see cref="TopNListReader.Entity"/>).</summary>
    public static void WriteEntity(ByteBuffer buffer, TagValue[] entity)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(entity);
        buffer.WriteVarUInt64((ulong)entity.Length);
        foreach (TagValue value in entity)
        {
            WriteValue(buffer, value);
        }
    }

    /// <summary>The entity values in <paramref name="bytes"/> (one entity as <see cref="TopNListReader.Entity"/> gives it, at <paramref name="offset"/> of the row).</summary>
    /// <exception cref="StorageCorruptionException">The bytes are damaged.</exception>
    public static TagValue[] ReadEntity(ReadOnlySpan<byte> bytes, string where, long offset)
    {
        SpanReader reader = new(bytes, where, offset);
        int entityCount = reader.ReadLength(MaxEntityValues, "TopN entity value count");
        TagValue[] entity = entityCount == 0 ? [] : new TagValue[entityCount];
        for (int e = 0; e < entityCount; e++)
        {
            entity[e] = ReadValue(ref reader);
        }

        reader.EnsureEnd();
        return entity;
    }

    private static void WriteValue(ByteBuffer buffer, TagValue value)
    {
        buffer.WriteByte((byte)value.Kind);
        switch (value.Kind)
        {
            case TagValueKind.Null:
                break;
            case TagValueKind.Str:
                buffer.WriteString(value.Text ?? string.Empty);
                break;
            case TagValueKind.Number:
            case TagValueKind.Timestamp:
                buffer.WriteInt64(value.Number);
                break;
            case TagValueKind.Binary:
                buffer.WriteLengthPrefixed(value.Bytes ?? []);
                break;
            case TagValueKind.StrArray:
                buffer.WriteVarUInt64((ulong)value.Strings.Count);
                foreach (string s in value.Strings)
                {
                    buffer.WriteString(s);
                }

                break;
            case TagValueKind.IntArray:
                buffer.WriteVarUInt64((ulong)value.Numbers.Count);
                foreach (long n in value.Numbers)
                {
                    buffer.WriteInt64(n);
                }

                break;
            default:
                throw new ArgumentException($"tag value kind {value.Kind} has no TopN encoding; this is a bug", nameof(value));
        }
    }

    private static TagValue ReadValue(ref SpanReader reader)
    {
        long at = reader.AbsoluteOffset;
        byte kind = reader.ReadByte();
        switch ((TagValueKind)kind)
        {
            case TagValueKind.Null:
                return TagValue.Null;
            case TagValueKind.Str:
                return TagValue.FromString(reader.ReadString());
            case TagValueKind.Number:
                return TagValue.FromInt64(reader.ReadInt64());
            case TagValueKind.Timestamp:
                return TagValue.FromTimestampNanos(reader.ReadInt64());
            case TagValueKind.Binary:
                return TagValue.FromBinary(reader.ReadLengthPrefixed("TopN binary entity value"));
            case TagValueKind.StrArray:
                {
                    int n = reader.ReadLength(reader.Remaining, "TopN string array length");
                    string[] strings = new string[n];
                    for (int i = 0; i < n; i++)
                    {
                        strings[i] = reader.ReadString();
                    }

                    return TagValue.FromStringArray(strings);
                }

            case TagValueKind.IntArray:
                {
                    int n = reader.ReadLength(reader.Remaining / 8, "TopN int array length");
                    long[] numbers = new long[n];
                    for (int i = 0; i < n; i++)
                    {
                        numbers[i] = reader.ReadInt64();
                    }

                    return TagValue.FromInt64Array(numbers);
                }

            default:
                throw reader.CorruptAt(at, $"TopN entity value kind {kind} is unknown");
        }
    }

    // Ascending by the entities' bytes; equal entities (never two in one list: an entity is one series) by position. Over
    // the buffer's span, so a comparison does not convert a memory to a span first.
    private sealed class EntityOrder(ByteBuffer entities, int[] starts) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            ReadOnlySpan<byte> all = entities.WrittenSpan;
            int c = all[starts[x]..starts[x + 1]].SequenceCompareTo(all[starts[y]..starts[y + 1]]);
            return c != 0 ? c : x.CompareTo(y);
        }
    }
}
