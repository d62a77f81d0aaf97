namespace Banyan.Storage.Encodings;

/// <summary>
/// Working arrays reused across block decodes (one per reader or iterator, not thread-safe), so
/// decoding a column allocates nothing once the arrays have grown to the largest block.
/// </summary>
public sealed class DecodeScratch
{
    private long[] _longs = new long[64];
    private double[] _doubles = new double[64];

    private byte[] _frame = new byte[4096];
    private byte[] _raw = new byte[4096];

    /// <summary>Buffer for a frame as read from disk (grown by the reader).</summary>
    internal ref byte[] Frame => ref _frame;

    /// <summary>Buffer for a frame's decompressed payload (grown by the reader).</summary>
    internal ref byte[] Raw => ref _raw;

    /// <summary>A long span of exactly <paramref name="count"/> elements (content undefined).</summary>
    public Span<long> Longs(int count)
    {
        if (_longs.Length < count)
        {
            _longs = new long[Math.Max(count, _longs.Length * 2)];
        }

        return _longs.AsSpan(0, count);
    }

    /// <summary>A double span of exactly <paramref name="count"/> elements (content undefined).</summary>
    public Span<double> Doubles(int count)
    {
        if (_doubles.Length < count)
        {
            _doubles = new double[Math.Max(count, _doubles.Length * 2)];
        }

        return _doubles.AsSpan(0, count);
    }
}
