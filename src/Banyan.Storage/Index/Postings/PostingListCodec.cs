using System.Numerics;
using Banyan.Storage.Bytes;

namespace Banyan.Storage.Index.Postings;

/// <summary>
/// The on-disk form of a <see cref="PostingList"/> (see <c>docs/format/index-segment.md</c>): short lists
/// as delta varints, longer ones as roaring containers.
/// </summary>
internal static class PostingListCodec
{
    /// <summary>Lists up to this many values use the delta-varint form (a unique tag costs ~3 bytes per term).</summary>
    public const int ShortMax = 64;

    public const byte FormatShort = 1;
    public const byte FormatRoaring = 2;
    private const byte ContainerArray = 0;
    private const byte ContainerBitmap = 1;

    public static void Write(ByteBuffer sink, PostingList list)
    {
        long count = list.Count;
        if (count <= ShortMax)
        {
            sink.WriteByte(FormatShort);
            sink.WriteVarUInt64((ulong)count);
            uint previous = 0;
            bool first = true;
            PostingListIterator it = list.GetIterator();
            while (it.MoveNext())
            {
                sink.WriteVarUInt64(first ? it.Current : it.Current - previous);
                previous = it.Current;
                first = false;
            }

            return;
        }

        sink.WriteByte(FormatRoaring);
        sink.WriteVarUInt64((ulong)list.ContainerCount);
        for (int i = 0; i < list.ContainerCount; i++)
        {
            PostingContainer c = list.ContainerAt(i);
            sink.WriteUInt16(list.KeyAt(i));
            sink.WriteByte(c.IsBitmap ? ContainerBitmap : ContainerArray);
            sink.WriteUInt16((ushort)(c.Count - 1));
        }

        for (int i = 0; i < list.ContainerCount; i++)
        {
            PostingContainer c = list.ContainerAt(i);
            if (c.IsBitmap)
            {
                foreach (ulong word in c.Bitmap!)
                {
                    sink.WriteUInt64(word);
                }
            }
            else
            {
                for (int k = 0; k < c.Count; k++)
                {
                    sink.WriteUInt16(c.Array![k]);
                }
            }
        }
    }

    /// <summary>Writes ascending, distinct document numbers in the same format <see cref="Write"/> would use.</summary>
    public static void WriteSorted(ByteBuffer sink, ReadOnlySpan<uint> docs)
    {
        if (docs.Length <= ShortMax)
        {
            sink.WriteByte(FormatShort);
            sink.WriteVarUInt64((ulong)docs.Length);
            uint previous = 0;
            for (int i = 0; i < docs.Length; i++)
            {
                sink.WriteVarUInt64(i == 0 ? docs[i] : docs[i] - previous);
                previous = docs[i];
            }

            return;
        }

        var list = new PostingList();
        foreach (uint d in docs)
        {
            list.Add(d);
        }

        Write(sink, list);
    }

    /// <summary>Decodes one list and appends its values plus <paramref name="shift"/> to <paramref name="output"/> (the merger's path: no list object).</summary>
    public static void ReadInto(ref SpanReader source, uint docCount, DocNumberBuffer output, uint shift)
    {
        int position = source.Position;
        if (source.ReadByte() == FormatShort)
        {
            int count = source.ReadLength(ShortMax, "short posting count");
            ulong value = 0;
            for (int i = 0; i < count; i++)
            {
                ulong delta = source.ReadVarUInt64();
                if (i > 0 && delta == 0)
                {
                    throw source.Corrupt("posting delta is zero (values must strictly increase)");
                }

                value += delta;
                if (value >= docCount)
                {
                    throw source.Corrupt($"posting value {value} is outside the segment's {docCount} documents");
                }

                output.AddAscending((uint)value + shift);
            }

            return;
        }

        source.Position = position;
        PostingListIterator it = Read(ref source, docCount).GetIterator();
        while (it.MoveNext())
        {
            output.AddAscending(it.Current + shift);
        }
    }

    /// <summary>
    /// Sets the bits of one encoded list in <paramref name="bits"/> without building a list (the
    /// path of ranges and IN over many terms). Values are bounds-checked against the segment;
    /// ordering was verified with the file's checksums.
    /// </summary>
    public static void OrInto(ref SpanReader source, uint docCount, DocBitset bits)
    {
        long formatAt = source.AbsoluteOffset;
        byte format = source.ReadByte();
        if (format == FormatShort)
        {
            int count = source.ReadLength(ShortMax, "short posting count");
            ulong value = 0;
            for (int i = 0; i < count; i++)
            {
                value += source.ReadVarUInt64();
                if (value >= docCount)
                {
                    throw source.Corrupt($"posting value {value} is outside the segment's {docCount} documents");
                }

                bits.Set((uint)value);
            }

            return;
        }

        if (format != FormatRoaring)
        {
            throw source.CorruptAt(formatAt, $"unknown posting format {format}");
        }

        int containers = source.ReadLength(65536, "posting container count");
        int headersAt = source.Position;
        source.ReadSpan(containers * 5);
        int payloadAt = source.Position;
        for (int i = 0; i < containers; i++)
        {
            source.Position = headersAt + (i * 5);
            ushort key = source.ReadUInt16();
            byte kind = source.ReadByte();
            int count = source.ReadUInt16() + 1;
            source.Position = payloadAt;
            uint keyBase = (uint)key << 16;
            if (kind == ContainerBitmap)
            {
                ReadOnlySpan<byte> words = source.ReadSpan(PostingContainer.BitmapWords * 8);
                if (!bits.TryOrWords(key * PostingContainer.BitmapWords, words))
                {
                    throw source.Corrupt($"bitmap container {key} has values outside the segment's {docCount} documents");
                }
            }
            else if (kind == ContainerArray)
            {
                for (int k = 0; k < count; k++)
                {
                    uint value = keyBase | source.ReadUInt16();
                    if (value >= docCount)
                    {
                        throw source.Corrupt($"posting value {value} is outside the segment's {docCount} documents");
                    }

                    bits.Set(value);
                }
            }
            else
            {
                throw source.Corrupt($"unknown posting container kind {kind}");
            }

            payloadAt = source.Position;
        }

        source.Position = payloadAt;
    }

    /// <summary>Reads one list; every inconsistency is a corruption of <paramref name="source"/>'s file.</summary>
    public static PostingList Read(ref SpanReader source, uint docCount)
    {
        long formatAt = source.AbsoluteOffset;
        byte format = source.ReadByte();
        if (format == FormatShort)
        {
            int count = source.ReadLength(ShortMax, "short posting count");
            var list = new PostingList();
            ulong value = 0;
            for (int i = 0; i < count; i++)
            {
                ulong delta = source.ReadVarUInt64();
                if (i > 0 && delta == 0)
                {
                    throw source.Corrupt("posting delta is zero (values must strictly increase)");
                }

                value += delta;
                if (value >= docCount)
                {
                    throw source.Corrupt($"posting value {value} is outside the segment's {docCount} documents");
                }

                list.Add((uint)value);
            }

            return list;
        }

        if (format != FormatRoaring)
        {
            throw source.CorruptAt(formatAt, $"unknown posting format {format}");
        }

        int containers = source.ReadLength(65536, "posting container count");
        ushort[] keys = new ushort[containers];
        var items = new PostingContainer[containers];
        byte[] kinds = new byte[containers];
        int[] counts = new int[containers];
        for (int i = 0; i < containers; i++)
        {
            keys[i] = source.ReadUInt16();
            kinds[i] = source.ReadByte();
            counts[i] = source.ReadUInt16() + 1;
            if (i > 0 && keys[i] <= keys[i - 1])
            {
                throw source.Corrupt("posting container keys are not strictly increasing");
            }

            if (kinds[i] > ContainerBitmap || (kinds[i] == ContainerArray) != (counts[i] <= PostingContainer.ArrayMax))
            {
                throw source.Corrupt($"posting container kind {kinds[i]} does not fit cardinality {counts[i]}");
            }

            if (((ulong)keys[i] << 16) >= docCount)
            {
                throw source.Corrupt($"posting container key {keys[i]} is outside the segment's {docCount} documents");
            }
        }

        for (int i = 0; i < containers; i++)
        {
            ulong keyBase = (ulong)keys[i] << 16;
            if (kinds[i] == ContainerBitmap)
            {
                var words = new ulong[PostingContainer.BitmapWords];
                int pop = 0;
                for (int w = 0; w < words.Length; w++)
                {
                    words[w] = source.ReadUInt64();
                    pop += BitOperations.PopCount(words[w]);
                }

                if (pop != counts[i])
                {
                    throw source.Corrupt($"bitmap container holds {pop} values, header says {counts[i]}");
                }

                int last = LastBit(words);
                if (keyBase + (ulong)last >= docCount)
                {
                    throw source.Corrupt($"posting value {keyBase + (ulong)last} is outside the segment's {docCount} documents");
                }

                items[i] = PostingContainer.NewBitmap(words, pop);
            }
            else
            {
                ushort[] values = new ushort[counts[i]];
                for (int k = 0; k < values.Length; k++)
                {
                    values[k] = source.ReadUInt16();
                    if (k > 0 && values[k] <= values[k - 1])
                    {
                        throw source.Corrupt("posting array values are not strictly increasing");
                    }
                }

                if (keyBase + values[^1] >= docCount)
                {
                    throw source.Corrupt($"posting value {keyBase + values[^1]} is outside the segment's {docCount} documents");
                }

                items[i] = PostingContainer.NewArray(values, values.Length);
            }
        }

        return PostingList.FromContainers(keys, items, containers);
    }

    private static int LastBit(ulong[] words)
    {
        for (int w = words.Length - 1; w >= 0; w--)
        {
            if (words[w] != 0)
            {
                return (w << 6) + 63 - BitOperations.LeadingZeroCount(words[w]);
            }
        }

        return 0;
    }
}
