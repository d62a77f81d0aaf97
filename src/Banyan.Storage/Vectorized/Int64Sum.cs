using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Banyan.Storage.Vectorized;

/// <summary>
/// The sum of a run of integers and whether any addition along the way overflowed 64 bits, four lanes at a time where
/// the hardware has 256-bit vectors. The scalar loop is a chain of dependent additions (the sum, then the overflow
/// check on it), a few cycles a value; the statistics of every block a flush writes, and of every bucket a chart query
/// cuts out of a block, add their values this way. The vector loop also gathers a bound on the values' magnitudes:
/// when no partial sum can reach 2^62 it gives the lanes' total, exactly what the scalar loop gives; otherwise the
/// scalar loop runs, so the overflow flag means what it always meant (some addition in order overflowed).
/// </summary>
public static class Int64Sum
{
    /// <summary>Shortest run worth the vector loop (two vectors).</summary>
    public const int VectorThreshold = 8;

    /// <summary>The sum of <paramref name="values"/> and whether an addition in order overflowed (the sum then wrapped).</summary>
    public static (long Sum, bool Overflowed) Of(ReadOnlySpan<long> values) =>
        Vector256.IsHardwareAccelerated && values.Length >= VectorThreshold ? Vector(values) : Scalar(values);

    /// <summary>The scalar loop: the reference the vector loop is tested against.</summary>
    public static (long Sum, bool Overflowed) Scalar(ReadOnlySpan<long> values)
    {
        long sum = 0, overflowBits = 0;
        foreach (long v in values)
        {
            long next = unchecked(sum + v);
            overflowBits |= (sum ^ next) & (v ^ next); // sign bit set: this addition overflowed
            sum = next;
        }

        return (sum, overflowBits < 0);
    }

    private static (long Sum, bool Overflowed) Vector(ReadOnlySpan<long> values)
    {
        ref long start = ref MemoryMarshal.GetReference(values);
        Vector256<long> sums = Vector256<long>.Zero;
        Vector256<long> magnitudes = Vector256<long>.Zero; // OR of v ^ (v >> 63): |v| ≤ that + 1
        int i = 0;
        for (; i <= values.Length - Vector256<long>.Count; i += Vector256<long>.Count)
        {
            Vector256<long> v = Vector256.LoadUnsafe(ref start, (nuint)i);
            sums += v;
            magnitudes |= v ^ Vector256.ShiftRightArithmetic(v, 63);
        }

        long sum = unchecked(sums[0] + sums[1] + sums[2] + sums[3]);
        ulong magnitude = (ulong)(magnitudes[0] | magnitudes[1] | magnitudes[2] | magnitudes[3]);
        for (; i < values.Length; i++)
        {
            long v = values[i];
            sum = unchecked(sum + v);
            magnitude |= (ulong)(v ^ (v >> 63));
        }

        // Every |v| ≤ 2^bits, so every partial sum, in any order, is at most count · 2^bits in size: below 2^62 no
        // addition can overflow and the lanes' total is the exact sum.
        int bits = 64 - BitOperations.LeadingZeroCount(magnitude);
        int countBits = 64 - BitOperations.LeadingZeroCount((ulong)values.Length);
        return bits + countBits <= 62 ? (sum, false) : Scalar(values);
    }
}
