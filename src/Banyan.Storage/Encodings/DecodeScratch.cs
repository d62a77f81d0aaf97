namespace Banyan.Storage.Encodings;

/// <summary>
/// Working arrays reused across block decodes (one per reader or iterator, not thread-safe), so
/// decoding a column allocates nothing once the arrays have grown to the largest block. The arrays start empty and grow
/// at their first use: a query answered from block headers and cached blocks makes one of these per request and may never
/// decode.
/// </summary>
public sealed class DecodeScratch
{
    // The smallest array made at a first use, so that small blocks do not grow the arrays a few elements at a time.
    private const int FirstLength = 64;

    private long[] _longs = [];
    private double[] _doubles = [];

    private byte[] _frame = [];
    private byte[] _raw = [];

    /// <summary>Buffer for a frame as read from disk (grown by the reader).</summary>
    internal ref byte[] Frame => ref _frame;

    /// <summary>Buffer for a frame's decompressed payload (grown by the reader).</summary>
    internal ref byte[] Raw => ref _raw;

    /// <summary>A long span of exactly <paramref name="count"/> elements (content undefined).</summary>
    public Span<long> Longs(int count)
    {
        if (_longs.Length < count)
        {
            _longs = new long[Math.Max(count, Math.Max(FirstLength, _longs.Length * 2))];
        }

        return _longs.AsSpan(0, count);
    }

    /// <summary>A double span of exactly <paramref name="count"/> elements (content undefined).</summary>
    public Span<double> Doubles(int count)
    {
        if (_doubles.Length < count)
        {
            _doubles = new double[Math.Max(count, Math.Max(FirstLength, _doubles.Length * 2))];
        }

        return _doubles.AsSpan(0, count);
    }
}
