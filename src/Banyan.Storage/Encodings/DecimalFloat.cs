namespace Banyan.Storage.Encodings;

/// <summary>
/// Lossless conversion of float64 values to integer mantissas with one common decimal exponent
/// (value = mantissa × 10^exponent), the approach of VictoriaMetrics <c>lib/encoding/float.go</c>
/// and BanyanDB: metrics usually carry few decimals, and integer mantissas compress far better
/// than IEEE bits.
/// </summary>
/// <remarks>
/// Exactness: a mantissa m with |m| ≤ 2^53 and a power of ten 10^p with p ≤ 22 are both exact
/// doubles, and IEEE division and multiplication are correctly rounded, so <c>m / 10^p</c> is the
/// double nearest to the decimal m·10^-p. The encoder still decodes every value and compares the
/// bits, and reports failure (the caller falls back to XOR) when any value differs, so NaN,
/// infinities, -0.0 and values with more than ~17 significant digits never lose a bit.
/// </remarks>
public static class DecimalFloat
{
    /// <summary>Largest magnitude of a mantissa: every long up to 2^53 converts to double exactly.</summary>
    public const long MaxMantissa = 1L << 53;

    /// <summary>Smallest allowed common exponent.</summary>
    public const int MinExponent = -22;

    /// <summary>Largest allowed common exponent.</summary>
    public const int MaxExponent = 22;

    private static readonly double[] s_pow10 = BuildPowers();

    private static double[] BuildPowers()
    {
        var powers = new double[23];
        double p = 1;
        for (int i = 0; i < powers.Length; i++)
        {
            powers[i] = p;
            p *= 10;
        }

        return powers;
    }

    /// <summary>Rebuilds the double of <paramref name="mantissa"/> × 10^<paramref name="exponent"/>.</summary>
    public static double ToDouble(long mantissa, int exponent) =>
        exponent >= 0 ? mantissa * s_pow10[exponent] : mantissa / s_pow10[-exponent];

    /// <summary>
    /// Converts all <paramref name="values"/> to mantissas sharing one exponent, or returns false when
    /// any value cannot be represented exactly.
    /// </summary>
    public static bool TryConvert(ReadOnlySpan<double> values, Span<long> mantissas, out int exponent)
    {
        exponent = 0;
        if (values.IsEmpty)
        {
            return true;
        }

        return TryConvertAtOneScale(values, mantissas, out exponent) || TryConvertEach(values, mantissas, out exponent);
    }

    // Mantissas below this are the only ones that round back to their value at their scale (see TryConvertAtOneScale).
    private const double UniqueMantissa = 1L << 52;

    // Scales tried at once: the one-by-one conversion refuses to rescale a mantissa by more than 10^18.
    private const int MaxOneScale = 18;

    /// <summary>
    /// <see cref="TryConvert"/>'s answer in one pass, where it can be had that way: every value of a block usually has the
    /// same number of decimals, so each is scaled by 10^p, rounded and checked to decode to its exact bits, with p the
    /// decimals of the first value (raised to a later value's when that one needs more, then from the start again).
    /// </summary>
    /// <remarks>
    /// The result is the one-by-one conversion's (<see cref="TryConvertEach"/>): every value decodes from 10^−p, so none
    /// needs more decimals than p, and some value needs exactly p, so p is the common exponent it would pick; and a
    /// mantissa under 2^52 is the only one at that scale that decodes to its value (two decimals 10^−p apart are more
    /// than an ulp of such a value apart), so the mantissas are the ones it would rescale to. Anything else (a mantissa
    /// that large, more than 18 decimals, a value no scale decodes exactly: −0.0, NaN, infinities, long fractions) is
    /// left to it: false.
    /// </remarks>
    internal static bool TryConvertAtOneScale(ReadOnlySpan<double> values, Span<long> mantissas, out int exponent)
    {
        exponent = 0;
        if (!TryConvertOne(values[0], out _, out int first) || first > 0)
        {
            return false;
        }

        int decimals = -first;
        for (int attempt = 0; attempt < 3 && decimals <= MaxOneScale; attempt++)
        {
            double scale = s_pow10[decimals];
            int i = 0;
            for (; i < values.Length; i++)
            {
                double scaled = Math.Round(values[i] * scale);
                if (!(Math.Abs(scaled) < UniqueMantissa))
                {
                    return false;
                }

                long mantissa = (long)scaled;
                if (BitConverter.DoubleToInt64Bits(mantissa / scale) != BitConverter.DoubleToInt64Bits(values[i]))
                {
                    break;
                }

                mantissas[i] = mantissa;
            }

            if (i == values.Length)
            {
                exponent = -decimals;
                return true;
            }

            // A value that needs more decimals: all again at its scale (values fine at fewer are fine at more, but each
            // is checked again).
            if (!TryConvertOne(values[i], out _, out int needed) || needed > 0 || -needed <= decimals)
            {
                return false;
            }

            decimals = -needed;
        }

        return false;
    }

    /// <summary>
    /// <see cref="TryConvert"/> value by value: each value's shortest decimal (<see cref="TryConvertOne"/>), the
    /// smallest of their exponents for all, and every value checked at it.
    /// </summary>
    internal static bool TryConvertEach(ReadOnlySpan<double> values, Span<long> mantissas, out int exponent)
    {
        exponent = 0;
        if (values.IsEmpty)
        {
            return true;
        }

        // Per-value exponents fit in a signed byte (-22..22); a block has at most 8,192 values, so the
        // scratch lives on the stack for blocks and on the heap only for unusually long inputs.
        Span<sbyte> exponents = values.Length <= 8192 ? stackalloc sbyte[values.Length] : new sbyte[values.Length];
        int minExponent = int.MaxValue;
        for (int i = 0; i < values.Length; i++)
        {
            if (!TryConvertOne(values[i], out long m, out int e))
            {
                return false;
            }

            mantissas[i] = m;
            exponents[i] = (sbyte)e;
            if (e < minExponent)
            {
                minExponent = e;
            }
        }

        for (int i = 0; i < values.Length; i++)
        {
            long m = mantissas[i];
            int shift = exponents[i] - minExponent;
            if (shift > 0)
            {
                if (shift > 18)
                {
                    return false;
                }

                long factor = (long)s_pow10[shift];
                if (m > long.MaxValue / factor || m < long.MinValue / factor)
                {
                    return false;
                }

                m *= factor;
            }

            if (m > MaxMantissa || m < -MaxMantissa)
            {
                return false;
            }

            if (BitConverter.DoubleToInt64Bits(ToDouble(m, minExponent)) != BitConverter.DoubleToInt64Bits(values[i]))
            {
                return false;
            }

            mantissas[i] = m;
        }

        exponent = minExponent;
        return true;
    }

    /// <summary>Finds the shortest decimal m × 10^e that rounds back to exactly <paramref name="value"/>.</summary>
    public static bool TryConvertOne(double value, out long mantissa, out int exponent)
    {
        mantissa = 0;
        exponent = 0;
        if (!double.IsFinite(value))
        {
            return false;
        }

        if (value == 0)
        {
            // +0.0 converts; -0.0 does not (0 × 10^e is +0.0).
            return BitConverter.DoubleToInt64Bits(value) == 0;
        }

        double magnitude = Math.Abs(value);
        if (magnitude < MaxMantissa)
        {
            for (int p = 0; p <= MaxExponent; p++)
            {
                double scaled = Math.Round(value * s_pow10[p]);
                if (Math.Abs(scaled) > MaxMantissa)
                {
                    return false;
                }

                if (scaled / s_pow10[p] == value)
                {
                    mantissa = (long)scaled;
                    exponent = -p;
                    return true;
                }
            }

            return false;
        }

        for (int p = 1; p <= MaxExponent; p++)
        {
            double scaled = Math.Round(value / s_pow10[p]);
            if (Math.Abs(scaled) <= MaxMantissa && scaled * s_pow10[p] == value)
            {
                mantissa = (long)scaled;
                exponent = p;
                return true;
            }
        }

        return false;
    }
}
