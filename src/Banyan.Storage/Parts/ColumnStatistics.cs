using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// Statistics of one numeric column of one block, kept in the block header (after IoTDB TsFile's
/// page/chunk statistics) so COUNT, SUM, MIN, MAX and MEAN over a block wholly inside a query's
/// time range need no decoding. Over the non-null rows: count, min, max, sum, first and last.
/// </summary>
/// <remarks>
/// Float min/max follow <see cref="Math.Min(double, double)"/> (a NaN anywhere makes them NaN); the
/// float sum is accumulated in row order from 0.0, so it equals a sum over the decoded rows bit for
/// bit. The int64 sum is exact; when it overflows 64 bits <see cref="SumOverflowed"/> is set and the
/// caller must decode.
/// </remarks>
public readonly struct ColumnStatistics : IEquatable<ColumnStatistics>
{
    private readonly long _min;
    private readonly long _max;
    private readonly long _sum;
    private readonly long _first;
    private readonly long _last;

    private ColumnStatistics(ColumnValueType type, int count, long min, long max, long sum, long first, long last, bool sumOverflowed)
    {
        Type = type;
        Count = count;
        _min = min;
        _max = max;
        _sum = sum;
        _first = first;
        _last = last;
        SumOverflowed = sumOverflowed;
    }

    /// <summary>Type of the column (Int64, Timestamp or Float64); 0 when the column has no statistics.</summary>
    public ColumnValueType Type { get; }

    /// <summary>True for a numeric column (statistics are kept).</summary>
    public bool IsPresent => Type != 0;

    /// <summary>Number of non-null rows.</summary>
    public int Count { get; }

    /// <summary>The int64 sum did not fit in 64 bits (the sum is then meaningless).</summary>
    public bool SumOverflowed { get; }

    /// <summary>Minimum of an integer column.</summary>
    public long Int64Min => _min;

    /// <summary>Maximum of an integer column.</summary>
    public long Int64Max => _max;

    /// <summary>Exact sum of an integer column (see <see cref="SumOverflowed"/>).</summary>
    public long Int64Sum => _sum;

    /// <summary>First non-null value of an integer column.</summary>
    public long Int64First => _first;

    /// <summary>Last non-null value of an integer column.</summary>
    public long Int64Last => _last;

    /// <summary>Minimum of a float column.</summary>
    public double Float64Min => BitConverter.Int64BitsToDouble(_min);

    /// <summary>Maximum of a float column.</summary>
    public double Float64Max => BitConverter.Int64BitsToDouble(_max);

    /// <summary>Sum of a float column, in row order.</summary>
    public double Float64Sum => BitConverter.Int64BitsToDouble(_sum);

    /// <summary>First non-null value of a float column.</summary>
    public double Float64First => BitConverter.Int64BitsToDouble(_first);

    /// <summary>Last non-null value of a float column.</summary>
    public double Float64Last => BitConverter.Int64BitsToDouble(_last);

    /// <summary>
    /// Statistics of <paramref name="count"/> values of <paramref name="type"/> that carry the count alone (a
    /// <see cref="SummaryParts.Count"/> summary of rows counted without being read): sum, minimum, maximum, first and
    /// last are zero, not the values'.
    /// </summary>
    internal static ColumnStatistics CountOnly(ColumnValueType type, int count) => new(type, count, 0, 0, 0, 0, 0, false);

    /// <summary>Computes the statistics of <paramref name="column"/>; not present for non-numeric columns.</summary>
    public static ColumnStatistics Compute(ColumnBuffer column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return Compute(column, 0, column.Count);
    }

    /// <summary>Computes the statistics of rows [<paramref name="start"/>, <paramref name="start"/>+<paramref name="length"/>) of <paramref name="column"/>.</summary>
    public static ColumnStatistics Compute(ColumnBuffer column, int start, int length) => Compute(column, start, length, SummaryParts.All);

    /// <summary>
    /// Computes the statistics of rows [<paramref name="start"/>, <paramref name="start"/>+<paramref name="length"/>)
    /// of <paramref name="column"/>, of which the caller reads only <paramref name="parts"/> (and the count): an integer
    /// column without nulls then skips the minimum and maximum when they are not asked for, leaving them unspecified.
    /// </summary>
    public static ColumnStatistics Compute(ColumnBuffer column, int start, int length, SummaryParts parts)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, column.Count - start);
        int offset = start;
        int rows = length;
        if (column.Type == ColumnValueType.Float64)
        {
            ReadOnlySpan<double> values = column.Float64Values.Slice(offset, rows);
            int count = 0;
            double min = 0, max = 0, sum = 0, first = 0, last = 0;
            bool anyNull = column.NullCount > 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (anyNull && column.IsNull(offset + i))
                {
                    continue;
                }

                double v = values[i];
                if (count == 0)
                {
                    min = max = first = v;
                }
                else
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }

                sum += v;
                last = v;
                count++;
            }

            return new ColumnStatistics(ColumnValueType.Float64, count, Bits(min), Bits(max), Bits(sum), Bits(first), Bits(last), false);
        }

        if (ColumnValueTypes.IsInteger(column.Type))
        {
            ReadOnlySpan<long> values = column.Int64Values.Slice(offset, rows);
            if (column.NullCount == 0 && values.Length > 0)
            {
                return IntegersWithoutNulls(column.Type, values, minMax: (parts & SummaryParts.MinMax) != 0);
            }

            int count = 0;
            long min = 0, max = 0, sum = 0, first = 0, last = 0;
            bool overflow = false;
            bool anyNull = column.NullCount > 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (anyNull && column.IsNull(offset + i))
                {
                    continue;
                }

                long v = values[i];
                if (count == 0)
                {
                    min = max = first = v;
                }
                else
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }

                long next = unchecked(sum + v);
                overflow |= ((sum ^ next) & (v ^ next)) < 0;
                sum = next;
                last = v;
                count++;
            }

            return new ColumnStatistics(column.Type, count, min, max, overflow ? 0 : sum, first, last, overflow);
        }

        return default;
    }

    // The statistics of integers none of which is null (a query that aggregates time buckets of decoded blocks computes
    // these for every bucket): the minimum and maximum in vector lanes, unless the caller reads neither (a SUM or MEAN:
    // they are then left as the first value), the sum in vector lanes too (Int64Sum); the same values as the general loop.
    private static ColumnStatistics IntegersWithoutNulls(ColumnValueType type, ReadOnlySpan<long> values, bool minMax)
    {
        (long min, long max) = minMax ? Vectorized.Int64MinMax.Of(values) : (values[0], values[0]);
        (long sum, bool overflow) = Vectorized.Int64Sum.Of(values);
        return new ColumnStatistics(type, values.Length, min, max, overflow ? 0 : sum, values[0], values[^1], overflow);
    }

    /// <summary>Appends the serialized statistics (nothing for a non-numeric column).</summary>
    internal void Write(ByteBuffer output)
    {
        if (!IsPresent)
        {
            return;
        }

        output.WriteVarUInt64((ulong)Count);
        if (Count == 0)
        {
            return;
        }

        if (Type == ColumnValueType.Float64)
        {
            output.WriteInt64(_min);
            output.WriteInt64(_max);
            output.WriteInt64(_sum);
            output.WriteInt64(_first);
            output.WriteInt64(_last);
        }
        else
        {
            output.WriteVarInt64(_min);
            output.WriteVarInt64(_max);
            output.WriteByte(SumOverflowed ? (byte)1 : (byte)0);
            output.WriteVarInt64(_sum);
            output.WriteVarInt64(_first);
            output.WriteVarInt64(_last);
        }
    }

    /// <summary>Reads statistics written by <see cref="Write"/> for a column of <paramref name="type"/> with <paramref name="rowCount"/> rows.</summary>
    internal static ColumnStatistics Read(ref SpanReader reader, ColumnValueType type, int rowCount)
    {
        if (type != ColumnValueType.Float64 && !ColumnValueTypes.IsInteger(type))
        {
            return default;
        }

        int count = reader.ReadLength(rowCount);
        if (count == 0)
        {
            return new ColumnStatistics(type, 0, 0, 0, type == ColumnValueType.Float64 ? Bits(0) : 0, 0, 0, false);
        }

        if (type == ColumnValueType.Float64)
        {
            return new ColumnStatistics(type, count, reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), false);
        }

        long min = reader.ReadVarInt64();
        long max = reader.ReadVarInt64();
        int flagOffset = reader.Position;
        byte overflow = reader.ReadByte();
        if (overflow > 1)
        {
            EncodingCorruption.Throw(flagOffset, $"statistics overflow flag {overflow}");
        }

        long sum = reader.ReadVarInt64();
        long first = reader.ReadVarInt64();
        long last = reader.ReadVarInt64();
        if (min > max || first < min || first > max || last < min || last > max)
        {
            EncodingCorruption.Throw(flagOffset, "statistics are inconsistent (min > max or first/last outside)");
        }

        return new ColumnStatistics(type, count, min, max, sum, first, last, overflow == 1);
    }

    /// <summary>
    /// Appends the format-2 statistics of a column of a block of <paramref name="rowCount"/> rows
    /// (docs/format/primary.bin.md): null count, then first, last, min and max as differences from first,
    /// and the sum; float values as decimal mantissas of one exponent when they convert exactly.
    /// </summary>
    internal void WriteCompact(ByteBuffer output, int rowCount)
    {
        if (!IsPresent)
        {
            return;
        }

        output.WriteVarUInt64((ulong)(rowCount - Count));
        if (Count == 0)
        {
            return;
        }

        if (Type == ColumnValueType.Float64)
        {
            if (TryDecimal(out int exponent, out long first, out long last, out long min, out long max, out long sum, out long correction))
            {
                output.WriteByte(1);
                output.WriteVarInt64(exponent);
                WriteSpread(output, first, last, min, max);
                output.WriteVarInt64(unchecked(sum - SumPredictor(first, last, Count)));
                output.WriteVarInt64(correction);
                return;
            }

            output.WriteByte(0);
            output.WriteInt64(_min);
            output.WriteInt64(_max);
            output.WriteInt64(_sum);
            output.WriteInt64(_first);
            output.WriteInt64(_last);
            return;
        }

        WriteSpread(output, _first, _last, _min, _max);
        output.WriteByte(SumOverflowed ? (byte)1 : (byte)0);
        output.WriteVarInt64(unchecked(_sum - SumPredictor(_first, _last, Count)));
    }

    /// <summary>Reads what <see cref="WriteCompact"/> wrote for a column of <paramref name="type"/> in a block of <paramref name="rowCount"/> rows.</summary>
    internal static ColumnStatistics ReadCompact(ref SpanReader reader, ColumnValueType type, int rowCount)
    {
        if (type != ColumnValueType.Float64 && !ColumnValueTypes.IsInteger(type))
        {
            return default;
        }

        int count = rowCount - reader.ReadLength(rowCount);
        if (count == 0)
        {
            return new ColumnStatistics(type, 0, 0, 0, type == ColumnValueType.Float64 ? Bits(0) : 0, 0, 0, false);
        }

        int start = reader.Position;
        if (type == ColumnValueType.Float64)
        {
            byte mode = reader.ReadByte();
            if (mode == 0)
            {
                return new ColumnStatistics(type, count, reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), false);
            }

            if (mode != 1)
            {
                EncodingCorruption.Throw(start, $"unknown float statistics mode {mode}");
            }

            long exponent = reader.ReadVarInt64();
            if (exponent < DecimalFloat.MinExponent || exponent > DecimalFloat.MaxExponent)
            {
                EncodingCorruption.Throw(start, $"statistics exponent {exponent} out of range");
            }

            ReadSpread(ref reader, start, out long first, out long last, out long min, out long max);
            if (Math.Abs(min) > DecimalFloat.MaxMantissa || Math.Abs(max) > DecimalFloat.MaxMantissa)
            {
                EncodingCorruption.Throw(start, "statistics mantissa out of range");
            }

            long sum = unchecked(reader.ReadVarInt64() + SumPredictor(first, last, count));
            long correction = reader.ReadVarInt64();
            int e = (int)exponent;
            long sumBits = unchecked(Bits(DecimalFloat.ToDouble(sum, e)) + correction);
            return new ColumnStatistics(type, count, Bits(DecimalFloat.ToDouble(min, e)), Bits(DecimalFloat.ToDouble(max, e)), sumBits,
                Bits(DecimalFloat.ToDouble(first, e)), Bits(DecimalFloat.ToDouble(last, e)), false);
        }

        ReadSpread(ref reader, start, out long iFirst, out long iLast, out long iMin, out long iMax);
        int flagOffset = reader.Position;
        byte overflow = reader.ReadByte();
        if (overflow > 1)
        {
            EncodingCorruption.Throw(flagOffset, $"statistics overflow flag {overflow}");
        }

        long iSum = unchecked(reader.ReadVarInt64() + SumPredictor(iFirst, iLast, count));
        return new ColumnStatistics(type, count, iMin, iMax, iSum, iFirst, iLast, overflow == 1);
    }

    // The sum of a straight line from first to last: a counter's sum lies close to it, so what is stored
    // (sum minus this, wrapping) is short; exact in 128 bits, then wrapped to 64.
    private static long SumPredictor(long first, long last, int count) => unchecked((long)(((Int128)first + last) * count / 2));

    // first, last − first, first − min, max − first: the last three are small when values vary little.
    private static void WriteSpread(ByteBuffer output, long first, long last, long min, long max)
    {
        output.WriteVarInt64(first);
        output.WriteVarInt64(unchecked(last - first));
        output.WriteVarUInt64(unchecked((ulong)(first - min)));
        output.WriteVarUInt64(unchecked((ulong)(max - first)));
    }

    private static void ReadSpread(ref SpanReader reader, int start, out long first, out long last, out long min, out long max)
    {
        first = reader.ReadVarInt64();
        last = unchecked(first + reader.ReadVarInt64());
        ulong below = reader.ReadVarUInt64();
        ulong above = reader.ReadVarUInt64();
        min = unchecked(first - (long)below);
        max = unchecked(first + (long)above);
        if (min > first || max < first || last < min || last > max)
        {
            EncodingCorruption.Throw(start, "statistics are inconsistent (min > max or first/last outside)");
        }
    }

    // Min, max, first and last as mantissas of one decimal exponent when all four convert exactly; the
    // sum as the nearest mantissa of that exponent plus the difference of the bit patterns, so the
    // in-order float sum comes back bit for bit.
    private bool TryDecimal(out int exponent, out long first, out long last, out long min, out long max, out long sum, out long correction)
    {
        first = last = min = max = sum = correction = 0;
        Span<double> values = [Float64Min, Float64Max, Float64First, Float64Last];
        Span<long> mantissas = stackalloc long[4];
        if (!DecimalFloat.TryConvert(values, mantissas, out exponent))
        {
            return false;
        }

        double total = Float64Sum;
        double scaled = exponent >= 0 ? total / DecimalFloat.ToDouble(1, exponent) : total * DecimalFloat.ToDouble(1, -exponent);
        if (!double.IsFinite(scaled) || Math.Abs(scaled) > 4.611686018427387904E18)
        {
            return false;
        }

        min = mantissas[0];
        max = mantissas[1];
        first = mantissas[2];
        last = mantissas[3];
        sum = (long)Math.Round(scaled);
        correction = unchecked(_sum - Bits(DecimalFloat.ToDouble(sum, exponent)));
        return true;
    }

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);

    /// <inheritdoc />
    public bool Equals(ColumnStatistics other) =>
        Type == other.Type && Count == other.Count && _min == other._min && _max == other._max && _sum == other._sum
        && _first == other._first && _last == other._last && SumOverflowed == other.SumOverflowed;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ColumnStatistics other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Count, _min, _max, _sum, _first, _last);

    /// <summary>Equality operator.</summary>
    public static bool operator ==(ColumnStatistics left, ColumnStatistics right) => left.Equals(right);

    /// <summary>Inequality operator.</summary>
    public static bool operator !=(ColumnStatistics left, ColumnStatistics right) => !left.Equals(right);
}
