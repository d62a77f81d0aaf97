using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Banyan.Storage.Bytes;

namespace Banyan.Storage.Encodings;

/// <summary>
/// The <see cref="IntegerEncodingKind.Rice"/> layout: residuals of a fixed predictor (order 0: the
/// value itself, 1: the previous value, 2: the linear extrapolation of the previous two), minus the
/// residuals' median, zigzag-mapped and Golomb-Rice coded with one parameter k per sequence
/// (Rice, 1979; the scheme of FLAC and Shorten, Robinson 1994), bits packed least significant first.
/// </summary>
/// <remarks>
/// Metric values are noisy: a latency scatters around its level, a gauge walks randomly, a counter
/// grows by a noisy rate. Their residuals are bell-shaped, and a Rice code spends about
/// log2(spread) + 2 bits on each, a few percent over their entropy, where a varint rounds every
/// value up to whole 7-bit groups (a spread of 200 costs 16 bits instead of 9.5). A residual whose
/// quotient reaches <see cref="EscapeQuotient"/> (a latency spike) is escaped with its bit length, so
/// one outlier costs about 30 bits, not thousands.
/// Layout after the kind byte: u8 (order &lt;&lt; 6 | k), zz-varint value[0] (order ≥ 1),
/// zz-varint value[1] − value[0] (order 2), zz-varint bias, then n − order codes, each either
/// q zero bits, a one bit and the k low bits of u (q = u &gt;&gt; k &lt; 12), or 12 zero bits,
/// 6 bits (bit length of u) − 1 and that many bits of u; zero bits pad the last byte.
/// All arithmetic wraps modulo 2^64, so every sequence round-trips.
/// </remarks>
internal static class RiceCodec
{
    /// <summary>Quotients from here on are escaped (12 zero bits, 6-bit length, the bits).</summary>
    public const int EscapeQuotient = 12;

    /// <summary>Largest Rice parameter (so k bits and a unary code fit one 64-bit read).</summary>
    public const int MaxK = 48;

    /// <summary>Largest predictor order.</summary>
    public const int MaxOrder = 2;

    /// <summary>
    /// Sequences shorter than this are not planned: the parameter bytes eat most of the gain, and the
    /// planning (a median, a few exact size counts) is a fixed cost per block; the small blocks of fresh
    /// flushes (a few dozen rows per series) keep the varint kinds and take Rice when merges join them.
    /// </summary>
    public const int MinCount = 32;

    /// <summary>
    /// Chooses the predictor order and k for <paramref name="values"/> and returns the exact encoded size
    /// in bytes (kind byte included); long.MaxValue when the sequence is too short. <paramref name="plan"/>
    /// carries the choice to <see cref="Write"/>.
    /// </summary>
    public static long Plan(ReadOnlySpan<long> values, out RicePlan plan, int minCount = MinCount)
    {
        plan = default;
        int n = values.Length;
        if (n < Math.Max(3, minCount))
        {
            return long.MaxValue;
        }

        long[] rented = ArrayPool<long>.Shared.Rent(n);
        try
        {
            Span<long> residuals = rented.AsSpan(0, n);

            // The order whose residuals spread least (mean absolute deviation, in doubles: only a choice)
            // wins; one pass for the three means, one for the three spreads.
            double sum0 = 0, sum1 = 0, sum2 = 0;
            for (int i = 0; i < n; i++)
            {
                sum0 += values[i];
                if (i >= 1)
                {
                    sum1 += unchecked(values[i] - values[i - 1]);
                }

                if (i >= 2)
                {
                    sum2 += unchecked(values[i] - (2 * values[i - 1]) + values[i - 2]);
                }
            }

            double mean0 = sum0 / n, mean1 = sum1 / (n - 1), mean2 = sum2 / (n - 2);
            double spread0 = 0, spread1 = 0, spread2 = 0;
            for (int i = 0; i < n; i++)
            {
                spread0 += Math.Abs(values[i] - mean0);
                if (i >= 1)
                {
                    spread1 += Math.Abs(unchecked(values[i] - values[i - 1]) - mean1);
                }

                if (i >= 2)
                {
                    spread2 += Math.Abs(unchecked(values[i] - (2 * values[i - 1]) + values[i - 2]) - mean2);
                }
            }

            spread0 /= n;
            spread1 /= n - 1;
            spread2 /= n - 2;
            int bestOrder = spread1 < spread0 ? (spread2 < spread1 ? 2 : 1) : (spread2 < spread0 ? 2 : 0);

            int m = Residuals(values, bestOrder, residuals);
            Span<long> best = residuals[..m];
            long bestBias = Median(best);
            ulong total = 0;
            for (int i = 0; i < best.Length; i++)
            {
                total += Math.Min(VarInt.ZigZag(unchecked(best[i] - bestBias)), 1UL << 38);
            }

            long bestSum = (long)(total / (ulong)m);

            // For a geometric-like distribution the best k is near log2(mean · ln 2). Outliers inflate the
            // mean, so from there the exact size is followed downhill (it falls, then rises, with k).
            int bestK = bestSum <= 1 ? 0 : Math.Min(MaxK, 63 - BitOperations.LeadingZeroCount((ulong)(bestSum * 0.69) | 1));
            // The search nearly always stops one step either side of the estimate, so those three sizes are counted
            // in one pass (CountBitsAround); a step further is counted alone. A step down that pays ends the search
            // downhill, and the step up from there (the size already known to be larger) is not taken, as the
            // step-by-step search would find.
            int lowest = Math.Max(0, bestK - 1);
            int highest = Math.Min(MaxK, bestK + 1);
            (long below, long bestBits, long above) = CountBitsAround(best, bestBias, bestK);
            if (lowest < bestK && below < bestBits)
            {
                bestBits = below;
                bestK = lowest;
                for (int k = bestK - 1; k >= 0; k--)
                {
                    long bits = CountBits(best, bestBias, k);
                    if (bits >= bestBits)
                    {
                        break;
                    }

                    bestBits = bits;
                    bestK = k;
                }
            }
            else if (highest > bestK && above < bestBits)
            {
                bestBits = above;
                bestK = highest;
                for (int k = bestK + 1; k <= MaxK; k++)
                {
                    long bits = CountBits(best, bestBias, k);
                    if (bits >= bestBits)
                    {
                        break;
                    }

                    bestBits = bits;
                    bestK = k;
                }
            }

            long header = 2 + VarInt.SizeOf(VarInt.ZigZag(bestBias));
            if (bestOrder >= 1)
            {
                header += VarInt.SizeOf(VarInt.ZigZag(values[0]));
            }

            if (bestOrder == 2)
            {
                header += VarInt.SizeOf(VarInt.ZigZag(unchecked(values[1] - values[0])));
            }

            plan = new RicePlan(bestOrder, bestK, bestBias);
            return header + ((bestBits + 7) >> 3);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(rented);
        }
    }

    /// <summary>Appends the encoding of <paramref name="values"/> chosen by <see cref="Plan"/>, kind byte included.</summary>
    public static void Write(ReadOnlySpan<long> values, RicePlan plan, ByteBuffer output)
    {
        int n = values.Length;
        output.WriteByte((byte)IntegerEncodingKind.Rice);
        output.WriteByte((byte)((plan.Order << 6) | plan.K));
        if (plan.Order >= 1)
        {
            output.WriteVarInt64(values[0]);
        }

        if (plan.Order == 2)
        {
            output.WriteVarInt64(unchecked(values[1] - values[0]));
        }

        output.WriteVarInt64(plan.Bias);
        long[] rented = ArrayPool<long>.Shared.Rent(n);
        try
        {
            Span<long> residuals = rented.AsSpan(0, n);
            int count = Residuals(values, plan.Order, residuals);
            var writer = new BitSink(output);
            int k = plan.K;
            ulong lowMask = k == 0 ? 0 : (1UL << k) - 1;
            for (int i = 0; i < count; i++)
            {
                ulong u = VarInt.ZigZag(unchecked(residuals[i] - plan.Bias));
                ulong q = u >> k;
                if (q < EscapeQuotient)
                {
                    // q zeros then a one, then the k low bits.
                    writer.Write(1UL << (int)q, (int)q + 1);
                    if (k > 0)
                    {
                        writer.Write(u & lowMask, k);
                    }
                }
                else
                {
                    int length = 64 - BitOperations.LeadingZeroCount(u);
                    writer.Write(0, EscapeQuotient);
                    writer.Write((ulong)(length - 1), 6);
                    if (length > 32)
                    {
                        writer.Write(u & 0xFFFF_FFFFUL, 32);
                        writer.Write(u >> 32, length - 32);
                    }
                    else
                    {
                        writer.Write(u, length);
                    }
                }
            }

            writer.Finish();
        }
        finally
        {
            ArrayPool<long>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes the sequence after its kind byte into <paramref name="destination"/>.</summary>
    public static void Read(ref SpanReader reader, Span<long> destination)
    {
        int n = destination.Length;
        int paramOffset = reader.Position;
        byte parameter = reader.ReadByte();
        int order = parameter >> 6;
        int k = parameter & 63;
        if (order > MaxOrder || k > MaxK || order > n)
        {
            EncodingCorruption.Throw(paramOffset, $"Rice parameters order {order}, k {k} invalid for {n} values");
        }

        long first = order >= 1 ? reader.ReadVarInt64() : 0;
        long firstDelta = order == 2 ? reader.ReadVarInt64() : 0;
        long bias = reader.ReadVarInt64();
        ReadOnlySpan<byte> data = reader.RemainingSpan;
        int start = reader.Position;
        var bits = new BitSource(data, start);
        switch (order)
        {
            case 0:
                for (int i = 0; i < n; i++)
                {
                    destination[i] = unchecked(VarInt.UnZigZag(bits.ReadCode(k)) + bias);
                }

                break;
            case 1:
                {
                    long value = first;
                    destination[0] = value;
                    for (int i = 1; i < n; i++)
                    {
                        value = unchecked(value + VarInt.UnZigZag(bits.ReadCode(k)) + bias);
                        destination[i] = value;
                    }

                    break;
                }

            default:
                {
                    long value = first;
                    long delta = firstDelta;
                    destination[0] = value;
                    value = unchecked(value + delta);
                    destination[1] = value;
                    for (int i = 2; i < n; i++)
                    {
                        delta = unchecked(delta + VarInt.UnZigZag(bits.ReadCode(k)) + bias);
                        value = unchecked(value + delta);
                        destination[i] = value;
                    }

                    break;
                }
        }

        reader.ReadSpan(bits.FinishBytes());
    }

    private static int Residuals(ReadOnlySpan<long> values, int order, Span<long> residuals)
    {
        int n = values.Length;
        switch (order)
        {
            case 0:
                values.CopyTo(residuals);
                return n;
            case 1:
                for (int i = 1; i < n; i++)
                {
                    residuals[i - 1] = unchecked(values[i] - values[i - 1]);
                }

                return n - 1;
            default:
                for (int i = 2; i < n; i++)
                {
                    residuals[i - 2] = unchecked(values[i] - (2 * values[i - 1]) + values[i - 2]);
                }

                return n - 2;
        }
    }

    /// <summary>The bits of the codes of <paramref name="residuals"/> less <paramref name="bias"/> with parameter <paramref name="k"/>.</summary>
    /// <remarks>Four residuals at a time where none of them escapes, the others one by one.</remarks>
    internal static long CountBits(ReadOnlySpan<long> residuals, long bias, int k)
    {
        long bits = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && residuals.Length >= Vector256<long>.Count)
        {
            Vector256<long> biasLanes = Vector256.Create(bias);
            Vector256<ulong> limit = Vector256.Create((ulong)EscapeQuotient);
            Vector256<ulong> quotients = Vector256<ulong>.Zero;
            long plain = 0;
            ref long first = ref MemoryMarshal.GetReference(residuals);
            for (; i <= residuals.Length - Vector256<long>.Count; i += Vector256<long>.Count)
            {
                Vector256<ulong> q = Vector256.ShiftRightLogical(ZigZag(Vector256.LoadUnsafe(ref first, (nuint)i) - biasLanes), k);
                if (Vector256.LessThanAll(q, limit))
                {
                    quotients += q;
                    plain += Vector256<long>.Count;
                }
                else
                {
                    for (int lane = i; lane < i + Vector256<long>.Count; lane++)
                    {
                        bits += CodeBits(VarInt.ZigZag(unchecked(residuals[lane] - bias)), k);
                    }
                }
            }

            bits += (long)Vector256.Sum(quotients) + (plain * (1 + k));
        }

        for (; i < residuals.Length; i++)
        {
            bits += CodeBits(VarInt.ZigZag(unchecked(residuals[i] - bias)), k);
        }

        return bits;
    }

    // VarInt.ZigZag on four values.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> ZigZag(Vector256<long> values) =>
        (Vector256.ShiftLeft(values, 1) ^ Vector256.ShiftRightArithmetic(values, 63)).AsUInt64();

    /// <summary>
    /// <see cref="CountBits"/> for parameters k − 1, k and k + 1 in one pass (a parameter outside 0..<see cref="MaxK"/>
    /// counts as k): the codes' unary parts are the residual shifted by the three, each half the one before. Four
    /// residuals at a time where every one's quotient for k − 1 stays under <see cref="EscapeQuotient"/> (none escapes
    /// for any of the three), the others one by one.
    /// </summary>
    internal static (long Below, long At, long Above) CountBitsAround(ReadOnlySpan<long> residuals, long bias, int k)
    {
        int low = Math.Max(0, k - 1);
        int high = Math.Min(MaxK, k + 1);
        long below = 0, at = 0, above = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && residuals.Length >= Vector256<long>.Count)
        {
            Vector256<long> biasLanes = Vector256.Create(bias);
            Vector256<ulong> limit = Vector256.Create((ulong)EscapeQuotient);
            Vector256<ulong> sumBelow = Vector256<ulong>.Zero, sumAt = Vector256<ulong>.Zero, sumAbove = Vector256<ulong>.Zero;
            long plain = 0;
            ref long first = ref MemoryMarshal.GetReference(residuals);
            for (; i <= residuals.Length - Vector256<long>.Count; i += Vector256<long>.Count)
            {
                Vector256<ulong> u = ZigZag(Vector256.LoadUnsafe(ref first, (nuint)i) - biasLanes);
                Vector256<ulong> qBelow = Vector256.ShiftRightLogical(u, low);
                if (Vector256.LessThanAll(qBelow, limit))
                {
                    sumBelow += qBelow;
                    sumAt += Vector256.ShiftRightLogical(u, k);
                    sumAbove += Vector256.ShiftRightLogical(u, high);
                    plain += Vector256<long>.Count;
                }
                else
                {
                    for (int lane = i; lane < i + Vector256<long>.Count; lane++)
                    {
                        AddCodeBits(residuals[lane], bias, low, k, high, ref below, ref at, ref above);
                    }
                }
            }

            below += (long)Vector256.Sum(sumBelow) + (plain * (1 + low));
            at += (long)Vector256.Sum(sumAt) + (plain * (1 + k));
            above += (long)Vector256.Sum(sumAbove) + (plain * (1 + high));
        }

        for (; i < residuals.Length; i++)
        {
            AddCodeBits(residuals[i], bias, low, k, high, ref below, ref at, ref above);
        }

        return (below, at, above);
    }

    private static void AddCodeBits(long residual, long bias, int low, int k, int high, ref long below, ref long at, ref long above)
    {
        ulong u = VarInt.ZigZag(unchecked(residual - bias));
        below += CodeBits(u, low);
        at += CodeBits(u, k);
        above += CodeBits(u, high);
    }

    // One code's bits: unary quotient, its stop bit and k low bits, or the escape (12 zeros, 6-bit length, the bits).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long CodeBits(ulong u, int k)
    {
        ulong q = u >> k;
        return q < EscapeQuotient ? (long)q + 1 + k : EscapeQuotient + 6 + (64 - BitOperations.LeadingZeroCount(u));
    }

    // Residual ranges up to this are counted (see Median): the counts fit on the stack.
    private const int CountedRange = 2048;

    /// <summary>
    /// The lower median of <paramref name="values"/> (the value at sorted position (n − 1) / 2), which it may reorder.
    /// Values within <see cref="CountedRange"/> of each other (a metric's residuals nearly always are) are counted, one
    /// pass and one walk over the counts; others go to a quickselect (Hoare partition), linear on average but with a
    /// branch per value the processor cannot predict, which made it the largest part of planning a block.
    /// </summary>
    internal static long Median(Span<long> values)
    {
        int target = (values.Length - 1) / 2;
        long min = values[0];
        long max = values[0];
        foreach (long value in values)
        {
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        ulong range = unchecked((ulong)(max - min));
        if (range < CountedRange)
        {
            Span<int> counts = stackalloc int[(int)range + 1];
            counts.Clear();
            foreach (long value in values)
            {
                counts[(int)(value - min)]++;
            }

            int seen = 0;
            for (int offset = 0; ; offset++)
            {
                seen += counts[offset];
                if (seen > target)
                {
                    return min + offset;
                }
            }
        }

        return QuickSelect(values, target);
    }

    // Quickselect (Hoare partition) for the value at sorted position `target`: linear time on average, in place.
    private static long QuickSelect(Span<long> values, int target)
    {
        int lo = 0;
        int hi = values.Length - 1;
        while (lo < hi)
        {
            long pivot = values[lo + ((hi - lo) / 2)];
            int i = lo;
            int j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (target <= j)
            {
                hi = j;
            }
            else if (target >= i)
            {
                lo = i;
            }
            else
            {
                break;
            }
        }

        return values[target];
    }

    /// <summary>Accumulates bits least significant first into 64-bit words written little-endian.</summary>
    private ref struct BitSink
    {
        private readonly ByteBuffer _output;
        private ulong _word;
        private int _used;

        public BitSink(ByteBuffer output)
        {
            _output = output;
            _word = 0;
            _used = 0;
        }

        /// <summary>Appends the low <paramref name="count"/> (1..32, or up to 64 when it fits) bits of <paramref name="value"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write(ulong value, int count)
        {
            _word |= value << _used;
            int total = _used + count;
            if (total >= 64)
            {
                _output.WriteUInt64(_word);
                _word = _used == 0 ? 0 : value >> (64 - _used);
                total -= 64;
            }

            _used = total;
        }

        public void Finish()
        {
            int bytes = (_used + 7) >> 3;
            for (int i = 0; i < bytes; i++)
            {
                _output.WriteByte((byte)(_word >> (8 * i)));
            }
        }
    }

    /// <summary>Reads codes least significant bit first; any read past the data is corruption.</summary>
    private ref struct BitSource
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly int _baseOffset;
        private int _position; // next byte to load
        private ulong _buffer;
        private int _available;

        public BitSource(ReadOnlySpan<byte> data, int baseOffset)
        {
            _data = data;
            _baseOffset = baseOffset;
            _position = 0;
            _buffer = 0;
            _available = 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Refill()
        {
            if (_position + 8 <= _data.Length)
            {
                _buffer |= BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]) << _available;
                _position += (63 - _available) >> 3;
                _available |= 56;
                return;
            }

            while (_available <= 56 && _position < _data.Length)
            {
                _buffer |= (ulong)_data[_position++] << _available;
                _available += 8;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ulong Take(int count)
        {
            if (_available < count)
            {
                Refill();
                if (_available < count)
                {
                    EncodingCorruption.Throw(_baseOffset + _data.Length, "Rice bit stream ends early");
                }
            }

            ulong value = count == 64 ? _buffer : _buffer & ((1UL << count) - 1);
            _buffer = count == 64 ? 0 : _buffer >> count;
            _available -= count;
            return value;
        }

        /// <summary>One Rice code with parameter <paramref name="k"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong ReadCode(int k)
        {
            if (_available < EscapeQuotient + 1 + MaxK)
            {
                Refill();
            }

            int zeros = BitOperations.TrailingZeroCount(_buffer);
            if (zeros < EscapeQuotient && zeros < _available && zeros + 1 + k <= _available)
            {
                _buffer >>= zeros + 1;
                _available -= zeros + 1;
                ulong low = k == 0 ? 0 : _buffer & ((1UL << k) - 1);
                _buffer >>= k;
                _available -= k;
                return ((ulong)zeros << k) | low;
            }

            return ReadSlow(k);
        }

        private ulong ReadSlow(int k)
        {
            int zeros = 0;
            while (zeros < EscapeQuotient && Take(1) == 0)
            {
                zeros++;
            }

            if (zeros < EscapeQuotient)
            {
                return ((ulong)zeros << k) | (k == 0 ? 0 : Take(k));
            }

            int length = (int)Take(6) + 1;
            ulong value = length > 32 ? Take(32) | (Take(length - 32) << 32) : Take(length);
            if ((value >> (length - 1)) == 0)
            {
                EncodingCorruption.Throw(_baseOffset + _position, "escaped Rice code with a leading zero bit");
            }

            return value;
        }

        /// <summary>Bytes consumed, the last one partly; its unused high bits must be zero.</summary>
        public readonly int FinishBytes()
        {
            // _available bits are loaded but unread; whole unread bytes go back.
            int unreadBytes = _available >> 3;
            int consumed = _position - unreadBytes;
            int padding = _available & 7;
            if (padding > 0 && (_buffer & ((1UL << padding) - 1)) != 0)
            {
                EncodingCorruption.Throw(_baseOffset + consumed - 1, "Rice bit stream has nonzero padding bits");
            }

            return consumed;
        }
    }
}

/// <summary>The choice <see cref="RiceCodec.Plan"/> made: predictor order, Rice parameter, bias.</summary>
internal readonly record struct RicePlan(int Order, int K, long Bias);
