using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Banyan.Storage.Vectorized;

/// <summary>
/// The minimum and maximum of a run of integers, four lanes at a time where the hardware has 256-bit vectors, with the
/// scalar loop beside it (used for short runs and as the reference in tests). A scalar loop compiles to a compare and a
/// branch per value and bound (the JIT does not turn them into conditional moves inside loops), and the branches
/// mispredict on short runs of noisy values: the per-bucket statistics of a decoded block (query Q2 of the peer
/// benchmark, docs/benchmarks.md) spent a quarter of their time there.
/// </summary>
public static class Int64MinMax
{
    /// <summary>Shortest run worth the vector loop (two vectors).</summary>
    public const int VectorThreshold = 8;

    /// <summary>The minimum and maximum of <paramref name="values"/> (not empty).</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static (long Min, long Max) Of(ReadOnlySpan<long> values)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("no values: the minimum of nothing is undefined", nameof(values));
        }

        return Vector256.IsHardwareAccelerated && values.Length >= VectorThreshold ? Vector(values) : Scalar(values);
    }

    /// <summary>The scalar loop: the reference the vector loop is tested against.</summary>
    public static (long Min, long Max) Scalar(ReadOnlySpan<long> values)
    {
        long min = values[0], max = values[0];
        foreach (long v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        return (min, max);
    }

    private static (long Min, long Max) Vector(ReadOnlySpan<long> values)
    {
        ref long start = ref MemoryMarshal.GetReference(values);
        Vector256<long> min = Vector256.LoadUnsafe(ref start);
        Vector256<long> max = min;
        int last = values.Length - Vector256<long>.Count;
        for (int i = Vector256<long>.Count; i < last; i += Vector256<long>.Count)
        {
            Vector256<long> v = Vector256.LoadUnsafe(ref start, (nuint)i);
            min = Vector256.Min(min, v);
            max = Vector256.Max(max, v);
        }

        // The last four values (overlapping the loop's: min and max do not mind counting a value twice).
        Vector256<long> tail = Vector256.LoadUnsafe(ref start, (nuint)last);
        min = Vector256.Min(min, tail);
        max = Vector256.Max(max, tail);
        long lo = Math.Min(Math.Min(min[0], min[1]), Math.Min(min[2], min[3]));
        long hi = Math.Max(Math.Max(max[0], max[1]), Math.Max(max[2], max[3]));
        return (lo, hi);
    }
}
