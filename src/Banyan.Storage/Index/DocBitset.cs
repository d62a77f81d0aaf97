using System.Numerics;

namespace Banyan.Storage.Index;

/// <summary>
/// A plain bitset over a segment's documents, used to union many posting lists (a range over a
/// dictionary, IN with many values) without building an intermediate list per term.
/// </summary>
internal sealed class DocBitset
{
    private readonly ulong[] _words;

    public DocBitset(int docCount) => _words = new ulong[(docCount + 63) >> 6];

    public void Set(uint doc) => _words[doc >> 6] |= 1UL << (int)(doc & 63);

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
