using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Query;
using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// Reads the <see cref="FieldSummary"/> (COUNT, SUM, MIN, MAX, MEAN) of one numeric field of one
/// series over a time range within one part. A block wholly
/// inside the range is answered from its header statistics without reading its column (when
/// allowed); a block that straddles a bound is decoded (only that field) and its in-range rows
/// aggregated. Both paths give the same answer bit for bit (tested).
/// </summary>
/// <remarks>
/// A part holds each measure key once (memory parts and merged parts are deduplicated), so per-part
/// statistics are exact; across parts with overlapping keys, use <see cref="PartMergeIterator"/>.
/// </remarks>
public static class FieldSummaryReader
{
    /// <summary>Summarizes <paramref name="field"/> of <paramref name="seriesId"/> over [<paramref name="minTimestamp"/>, <paramref name="maxTimestamp"/>].</summary>
    /// <param name="part">The part.</param>
    /// <param name="seriesId">The series.</param>
    /// <param name="minTimestamp">Inclusive lower bound.</param>
    /// <param name="maxTimestamp">Inclusive upper bound.</param>
    /// <param name="field">A numeric measure field.</param>
    /// <param name="useStatistics">False forces decoding every block (for comparison).</param>
    /// <param name="buffer">Block reused for decoding.</param>
    /// <param name="scratch">Decode scratch.</param>
    /// <param name="headers">List reused for block headers (cleared).</param>
    public static FieldSummary Read(IPartReader part, ulong seriesId, long minTimestamp, long maxTimestamp, string field, bool useStatistics,
        Block buffer, DecodeScratch scratch, List<BlockHeader> headers)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(buffer);
        headers.Clear();
        part.FindBlocks(new SeriesTimeFilter([seriesId], minTimestamp, maxTimestamp), headers);
        ColumnProjection projection = ColumnProjection.Of([field], []);
        FieldSummary result = default;
        foreach (BlockHeader header in headers)
        {
            ColumnHeader? column = header.FindField(field);
            if (column is null)
            {
                continue;
            }

            ThrowIfNotNumeric(column.Type, field);

            bool inside = header.MinTimestamp >= minTimestamp && header.MaxTimestamp <= maxTimestamp;
            if (useStatistics && inside && !column.Statistics.SumOverflowed)
            {
                result.Add(column.Statistics);
                result.BlocksFromStatistics++;
                continue;
            }

            part.ReadBlock(header, projection, buffer, scratch);
            (int start, int end) = SortedTimestamps.Within(header, buffer.Timestamps, minTimestamp, maxTimestamp);

            ColumnBuffer decoded = buffer.FindColumn(null, field)!;
            result.Add(ColumnStatistics.Compute(decoded, start, end - start));
            result.BlocksDecoded++;
        }

        return result;
    }

    /// <summary>Refuses a field of <paramref name="type"/> for an aggregate: only integer and float64 fields summarize.</summary>
    /// <exception cref="ArgumentException">The field is not numeric.</exception>
    internal static void ThrowIfNotNumeric(ColumnValueType type, string field)
    {
        if (type != ColumnValueType.Float64 && !ColumnValueTypes.IsInteger(type))
        {
            throw new ArgumentException($"field '{field}' is {type}; only numeric fields aggregate", nameof(field));
        }
    }
}
