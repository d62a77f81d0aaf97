using System.Numerics;

namespace Banyan.Storage.Index.Postings;

/// <summary>
/// A plain bitset over a segment's documents, used to union many posting lists (a range over a
/// dictionary, IN with many values) without building an intermediate list per term.
/// </summary>
internal sealed class DocBitset
{
    private readonly ulong[] _words;

    private readonly ulong _lastWordMask;

    public DocBitset(int docCount)
    {
        _words = new ulong[(docCount + 63) >> 6];
        _lastWordMask = (docCount & 63) == 0 ? ulong.MaxValue : (1UL << (docCount & 63)) - 1;
    }

    public void Set(uint doc) => _words[doc >> 6] |= 1UL << (int)(doc & 63);

    /// <summary>ORs little-endian 64-bit words in at <paramref name="wordOffset"/>; false if a set bit falls outside the set.</summary>
    public bool TryOrWords(int wordOffset, ReadOnlySpan<byte> littleEndianWords)
    {
        int count = littleEndianWords.Length / 8;
        for (int i = 0; i < count; i++)
        {
            ulong word = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(littleEndianWords[(i * 8)..]);
            if (word == 0)
            {
                continue;
            }

            int target = wordOffset + i;
            if (target >= _words.Length || (target == _words.Length - 1 && (word & ~_lastWordMask) != 0))
            {
                return false;
            }

            _words[target] |= word;
        }

        return true;
    }

    public PostingList ToPostingList()
    {
        var list = new PostingList();
        for (int start = 0, key = 0; start < _words.Length; start += PostingContainer.BitmapWords, key++)
        {
            int end = Math.Min(_words.Length, start + PostingContainer.BitmapWords);
            int count = 0;
            for (int w = start; w < end; w++)
            {
                count += BitOperations.PopCount(_words[w]);
            }

            if (count == 0)
            {
                continue;
            }

            if (count > PostingContainer.ArrayMax)
            {
                var words = new ulong[PostingContainer.BitmapWords];
                _words.AsSpan(start, end - start).CopyTo(words);
                list.AppendContainer((ushort)key, PostingContainer.NewBitmap(words, count));
                continue;
            }

            var values = new ushort[count];
            int n = 0;
            for (int w = start; w < end; w++)
            {
                ulong word = _words[w];
                while (word != 0)
                {
                    values[n++] = (ushort)(((w - start) << 6) + BitOperations.TrailingZeroCount(word));
                    word &= word - 1;
                }
            }

            list.AppendContainer((ushort)key, PostingContainer.NewArray(values, count));
        }

        return list;
    }
}
