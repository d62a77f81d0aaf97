using System.Diagnostics;
using System.Numerics;

namespace Banyan.Storage.Index.Postings;

/// <summary>
/// One roaring container: the low 16 bits of the doc numbers that share one high 16-bit key, kept
/// either as a sorted array (at most <see cref="ArrayMax"/> values) or as a 65,536-bit bitmap.
/// </summary>
/// <remarks>
/// The split follows Chambi, Lemire et al., "Better bitmap performance with Roaring bitmaps" (2016):
/// an array of 4,096 ushorts takes the same 8 KiB as a bitmap, so beyond that a bitmap is smaller and
/// faster. Run containers are not used.
/// </remarks>
internal sealed class PostingContainer
{
    /// <summary>Largest cardinality kept as an array.</summary>
    public const int ArrayMax = 4096;

    /// <summary>Number of 64-bit words in a bitmap container.</summary>
    public const int BitmapWords = 1024;

    private PostingContainer(ushort[]? array, int count, ulong[]? bitmap)
    {
        Array = array;
        Count = count;
        Bitmap = bitmap;
    }

    /// <summary>Sorted values when in array form; null in bitmap form.</summary>
    public ushort[]? Array { get; private set; }

    /// <summary>Bits when in bitmap form; null in array form.</summary>
    public ulong[]? Bitmap { get; private set; }

    /// <summary>Number of values held.</summary>
    public int Count { get; private set; }

    public bool IsBitmap => Bitmap is not null;

    public static PostingContainer NewArray(ushort[] values, int count) => new(values, count, null);

    public static PostingContainer NewBitmap(ulong[] words, int count) => new(null, count, words);

    public static PostingContainer Full()
    {
        var words = new ulong[BitmapWords];
        words.AsSpan().Fill(ulong.MaxValue);
        return NewBitmap(words, 65536);
    }

    /// <summary>Appends a value larger than every value held (the builder's path).</summary>
    public void AppendAscending(ushort low)
    {
        if (Bitmap is not null)
        {
            ref ulong word = ref Bitmap[low >> 6];
            ulong bit = 1UL << (low & 63);
            if ((word & bit) == 0)
            {
                word |= bit;
                Count++;
            }

            return;
        }

        Debug.Assert(Count == 0 || Array![Count - 1] <= low, "bug: ascending append got a smaller value");
        if (Count > 0 && Array![Count - 1] == low)
        {
            return;
        }

        if (Count == ArrayMax)
        {
            ConvertToBitmap();
            AppendAscending(low);
            return;
        }

        if (Count == Array!.Length)
        {
            ushort[] bigger = new ushort[Math.Min(ArrayMax, Math.Max(4, Count * 2))];
            Array.AsSpan(0, Count).CopyTo(bigger);
            Array = bigger;
        }

        Array[Count++] = low;
    }

    private void ConvertToBitmap()
    {
        var words = new ulong[BitmapWords];
        for (int i = 0; i < Count; i++)
        {
            ushort v = Array![i];
            words[v >> 6] |= 1UL << (v & 63);
        }

        Bitmap = words;
        Array = null;
    }

    public bool Contains(ushort low)
    {
        if (Bitmap is not null)
        {
            return (Bitmap[low >> 6] & (1UL << (low & 63))) != 0;
        }

        return System.Array.BinarySearch(Array!, 0, Count, low) >= 0;
    }

    /// <summary>Index of the first value ≥ <paramref name="low"/> in array form, or the value itself in bitmap form; -1 if none.</summary>
    public int NextAtOrAfter(ushort low, int fromIndex)
    {
        if (Bitmap is not null)
        {
            int wordIndex = low >> 6;
            ulong word = Bitmap[wordIndex] & (ulong.MaxValue << (low & 63));
            while (true)
            {
                if (word != 0)
                {
                    return (wordIndex << 6) + BitOperations.TrailingZeroCount(word);
                }

                if (++wordIndex == BitmapWords)
                {
                    return -1;
                }

                word = Bitmap[wordIndex];
            }
        }

        // Galloping then binary search: cheap for short skips, logarithmic for long ones.
        ushort[] a = Array!;
        int lo = fromIndex;
        if (lo >= Count)
        {
            return -1;
        }

        if (a[lo] >= low)
        {
            return lo;
        }

        int step = 1;
        int hi = lo + 1;
        while (hi < Count && a[hi] < low)
        {
            lo = hi;
            step <<= 1;
            hi = lo + step;
        }

        hi = Math.Min(hi, Count - 1);
        if (a[hi] < low)
        {
            return -1;
        }

        // a[lo] < low <= a[hi]
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < low)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return hi;
    }

    public static PostingContainer? And(PostingContainer x, PostingContainer y)
    {
        if (x.Bitmap is not null && y.Bitmap is not null)
        {
            var words = new ulong[BitmapWords];
            int count = 0;
            for (int i = 0; i < BitmapWords; i++)
            {
                ulong w = x.Bitmap[i] & y.Bitmap[i];
                words[i] = w;
                count += BitOperations.PopCount(w);
            }

            return count == 0 ? null : Normalize(words, count);
        }

        if (x.Bitmap is not null)
        {
            (x, y) = (y, x);
        }

        // x is an array.
        ushort[] result = new ushort[x.Count];
        int n = 0;
        if (y.Bitmap is not null)
        {
            for (int i = 0; i < x.Count; i++)
            {
                ushort v = x.Array![i];
                if ((y.Bitmap[v >> 6] & (1UL << (v & 63))) != 0)
                {
                    result[n++] = v;
                }
            }
        }
        else
        {
            int i = 0, j = 0;
            ushort[] a = x.Array!, b = y.Array!;
            while (i < x.Count && j < y.Count)
            {
                if (a[i] < b[j])
                {
                    i++;
                }
                else if (a[i] > b[j])
                {
                    j++;
                }
                else
                {
                    result[n++] = a[i];
                    i++;
                    j++;
                }
            }
        }

        return n == 0 ? null : NewArray(result, n);
    }

    public static PostingContainer Or(PostingContainer x, PostingContainer y)
    {
        if (x.Bitmap is null && y.Bitmap is null && x.Count + y.Count <= ArrayMax)
        {
            ushort[] a = x.Array!, b = y.Array!;
            ushort[] result = new ushort[x.Count + y.Count];
            int i = 0, j = 0, n = 0;
            while (i < x.Count && j < y.Count)
            {
                if (a[i] < b[j])
                {
                    result[n++] = a[i++];
                }
                else if (a[i] > b[j])
                {
                    result[n++] = b[j++];
                }
                else
                {
                    result[n++] = a[i++];
                    j++;
                }
            }

            while (i < x.Count)
            {
                result[n++] = a[i++];
            }

            while (j < y.Count)
            {
                result[n++] = b[j++];
            }

            return NewArray(result, n);
        }

        var words = new ulong[BitmapWords];
        x.OrInto(words);
        y.OrInto(words);
        int count = 0;
        for (int k = 0; k < BitmapWords; k++)
        {
            count += BitOperations.PopCount(words[k]);
        }

        return Normalize(words, count);
    }

    public static PostingContainer? AndNot(PostingContainer x, PostingContainer y)
    {
        if (x.Bitmap is not null)
        {
            var words = (ulong[])x.Bitmap.Clone();
            if (y.Bitmap is not null)
            {
                for (int i = 0; i < BitmapWords; i++)
                {
                    words[i] &= ~y.Bitmap[i];
                }
            }
            else
            {
                for (int i = 0; i < y.Count; i++)
                {
                    ushort v = y.Array![i];
                    words[v >> 6] &= ~(1UL << (v & 63));
                }
            }

            int count = 0;
            for (int i = 0; i < BitmapWords; i++)
            {
                count += BitOperations.PopCount(words[i]);
            }

            return count == 0 ? null : Normalize(words, count);
        }

        ushort[] result = new ushort[x.Count];
        int n = 0;
        for (int i = 0; i < x.Count; i++)
        {
            ushort v = x.Array![i];
            if (!y.Contains(v))
            {
                result[n++] = v;
            }
        }

        return n == 0 ? null : NewArray(result, n);
    }

    private void OrInto(ulong[] words)
    {
        if (Bitmap is not null)
        {
            for (int i = 0; i < BitmapWords; i++)
            {
                words[i] |= Bitmap[i];
            }

            return;
        }

        for (int i = 0; i < Count; i++)
        {
            ushort v = Array![i];
            words[v >> 6] |= 1UL << (v & 63);
        }
    }

    /// <summary>Keeps a bitmap only when it holds more than <see cref="ArrayMax"/> values.</summary>
    private static PostingContainer Normalize(ulong[] words, int count)
    {
        if (count > ArrayMax)
        {
            return NewBitmap(words, count);
        }

        ushort[] values = new ushort[count];
        int n = 0;
        for (int i = 0; i < BitmapWords; i++)
        {
            ulong w = words[i];
            while (w != 0)
            {
                values[n++] = (ushort)((i << 6) + BitOperations.TrailingZeroCount(w));
                w &= w - 1;
            }
        }

        return NewArray(values, count);
    }
}
