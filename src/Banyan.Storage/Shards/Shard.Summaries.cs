using System.Runtime.InteropServices;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards;

// Aggregates answered from block headers: a block wholly inside the range gives its field's statistics without being
// read; only the blocks that straddle a bound are decoded.
public sealed partial class Shard
{
    /// <summary>
    /// Summaries of numeric <paramref name="field"/> over [<paramref name="minTimestamp"/>, <paramref name="maxTimestamp"/>]
    /// for each of <paramref name="seriesIds"/> (ascending) with rows in the range, in series order: from block-header
    /// statistics for blocks wholly inside the range, by decoding the others. Returns null when the answer cannot be
    /// read this way: blocks of one series in different parts overlap in time (their rows may be versions of one
    /// another, which only a row-by-row read deduplicates), or the field changed type. Sees every write acknowledged
    /// before the call. <paramref name="subject"/> as in <see cref="Scan(string, SeriesTimeFilter, ColumnProjection)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The subject is not configured, or the field is not numeric.</exception>
    public List<SeriesFieldSummary>? SummarizeField(string subject, ulong[] seriesIds, long minTimestamp, long maxTimestamp, string field)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(seriesIds);
        ArgumentException.ThrowIfNullOrEmpty(field);
        var filter = new SeriesTimeFilter(seriesIds, minTimestamp, maxTimestamp);
        var result = new List<SeriesFieldSummary>();
        if (seriesIds.Length == 0 || minTimestamp > maxTimestamp)
        {
            return result;
        }

        using ShardReadView view = AcquireView();
        List<IPartReader> parts = PartsToSummarize(view, subject, filter);
        using BlockMerge blocks = BlockMerge.Start(parts, filter);

        var buffer = new Block();
        var scratch = new DecodeScratch();
        ColumnProjection fieldOnly = ColumnProjection.Of([field], []);
        while (blocks.HasCurrent)
        {
            ulong series = blocks.Current.SeriesId;
            FieldSummary summary = default;
            long first = long.MaxValue;
            long last = long.MinValue;
            long previousMax = long.MinValue;
            int previousPart = -1;
            for (; blocks.HasCurrent && blocks.Current.SeriesId == series; blocks.Advance())
            {
                BlockHeader header = blocks.Current;
                int part = blocks.CurrentPart;
                if (previousPart >= 0 && part != previousPart && header.MinTimestamp <= previousMax)
                {
                    return null;
                }

                previousMax = Math.Max(previousMax, header.MaxTimestamp);
                previousPart = part;
                ColumnHeader? column = header.FindField(field);
                if (column is not null && column.Type != ColumnValueType.Float64 && !ColumnValueTypes.IsInteger(column.Type))
                {
                    throw new ArgumentException($"field '{field}' is {column.Type}; only numeric fields aggregate", nameof(field));
                }

                if (summary.Type != 0 && column is not null && column.Statistics.IsPresent && column.Statistics.Type != summary.Type)
                {
                    return null;
                }

                bool inside = header.MinTimestamp >= minTimestamp && header.MaxTimestamp <= maxTimestamp;
                if (inside && (column is null || !column.Statistics.SumOverflowed))
                {
                    first = Math.Min(first, header.MinTimestamp);
                    last = Math.Max(last, header.MaxTimestamp);
                    if (column is not null)
                    {
                        summary.Add(column.Statistics);
                        summary.BlocksFromStatistics++;
                    }

                    continue;
                }

                Block read = column is null ? ReadKeys(parts[part], header, buffer, scratch) : ReadFieldBlock(parts[part], header, field, fieldOnly, buffer, scratch);
                ReadOnlySpan<long> timestamps = read.Timestamps;
                (int start, int end) = FieldSummaryReader.RowsWithin(timestamps, minTimestamp, maxTimestamp);

                if (end == start)
                {
                    continue;
                }

                first = Math.Min(first, timestamps[start]);
                last = Math.Max(last, timestamps[end - 1]);
                if (read.FindColumn(null, field) is { } decoded)
                {
                    summary.Add(ColumnStatistics.Compute(decoded, start, end - start));
                    summary.BlocksDecoded++;
                }
            }

            if (first <= last)
            {
                result.Add(new SeriesFieldSummary(series, summary, first, last));
            }
        }

        return result;
    }

    /// <summary>
    /// The summaries of numeric <paramref name="field"/> over [<paramref name="minTimestamp"/>, <paramref name="maxTimestamp"/>]
    /// cut into intervals of <paramref name="interval"/> nanoseconds from <paramref name="minTimestamp"/> (interval k is
    /// [min + k·interval, min + (k + 1)·interval − 1], the last one ending at max), each over all of
    /// <paramref name="seriesIds"/> (ascending) together: one entry per interval, empty where no row has the field. A
    /// block wholly inside one interval gives its header statistics; a block across intervals or across a bound of the
    /// range is decoded once and its rows added to their intervals. A float field's sums are added block by block in
    /// series then time order, so they may differ in the last bits from a row-by-row sum. Returns null where
    /// <see cref="SummarizeField"/> does: blocks of one series in different parts overlap in time, or the field changed type.
    /// Sees every write acknowledged before the call.
    /// </summary>
    /// <exception cref="ArgumentException">The subject is not configured, or the field is not numeric.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The interval is not positive, or the range holds more than <see cref="MaxSummaryIntervals"/> intervals.</exception>
    public List<FieldSummary>? SummarizeFieldByInterval(string subject, ulong[] seriesIds, long minTimestamp, long maxTimestamp, string field, long interval)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(seriesIds);
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interval);
        if (minTimestamp > maxTimestamp)
        {
            return [];
        }

        // (max - min) / interval + 1 without overflowing: the span may be all of long's range.
        ulong span = unchecked((ulong)maxTimestamp - (ulong)minTimestamp);
        ulong count = (span / (ulong)interval) + 1;
        if (count > MaxSummaryIntervals)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"[{minTimestamp}, {maxTimestamp}] holds {count} intervals of {interval} ns, more than {MaxSummaryIntervals}");
        }

        var result = new List<FieldSummary>((int)count);
        for (ulong k = 0; k < count; k++)
        {
            result.Add(default);
        }

        if (seriesIds.Length == 0)
        {
            return result;
        }

        var filter = new SeriesTimeFilter(seriesIds, minTimestamp, maxTimestamp);
        using ShardReadView view = AcquireView();
        List<IPartReader> parts = PartsToSummarize(view, subject, filter);
        using BlockMerge blocks = BlockMerge.Start(parts, filter);
        var buffer = new Block();
        var scratch = new DecodeScratch();
        ColumnProjection fieldOnly = ColumnProjection.Of([field], []);
        Span<FieldSummary> summaries = CollectionsMarshal.AsSpan(result);
        ColumnValueType type = 0;
        ulong series = 0;
        long previousMax = long.MinValue;
        int previousPart = -1;
        for (; blocks.HasCurrent; blocks.Advance())
        {
            BlockHeader header = blocks.Current;
            int part = blocks.CurrentPart;
            if (previousPart < 0 || header.SeriesId != series)
            {
                (series, previousMax, previousPart) = (header.SeriesId, long.MinValue, -1);
            }

            if (previousPart >= 0 && part != previousPart && header.MinTimestamp <= previousMax)
            {
                return null;
            }

            previousMax = Math.Max(previousMax, header.MaxTimestamp);
            previousPart = part;
            ColumnHeader? column = header.FindField(field);
            if (column is null)
            {
                continue; // no row of this block has the field
            }

            if (column.Type != ColumnValueType.Float64 && !ColumnValueTypes.IsInteger(column.Type))
            {
                throw new ArgumentException($"field '{field}' is {column.Type}; only numeric fields aggregate", nameof(field));
            }

            if (type != 0 && column.Statistics.IsPresent && column.Statistics.Type != type)
            {
                return null;
            }

            if (column.Statistics.IsPresent)
            {
                type = column.Statistics.Type;
            }

            int first = IntervalOf(Math.Max(header.MinTimestamp, minTimestamp), minTimestamp, interval);
            int last = IntervalOf(Math.Min(header.MaxTimestamp, maxTimestamp), minTimestamp, interval);
            bool inside = header.MinTimestamp >= minTimestamp && header.MaxTimestamp <= maxTimestamp;
            if (inside && first == last && !column.Statistics.SumOverflowed)
            {
                summaries[first].Add(column.Statistics);
                summaries[first].BlocksFromStatistics++;
                continue;
            }

            Block read = ReadFieldBlock(parts[part], header, field, fieldOnly, buffer, scratch);
            ColumnBuffer? decoded = read.FindColumn(null, field);
            if (decoded is null)
            {
                continue;
            }

            ReadOnlySpan<long> timestamps = read.Timestamps;
            (int start, int end) = FieldSummaryReader.RowsWithin(timestamps, minTimestamp, maxTimestamp);
            bool counted = false;
            while (start < end)
            {
                // The rows of the interval of row start: up to the interval's last timestamp.
                int k = IntervalOf(timestamps[start], minTimestamp, interval);
                long intervalMax = k == summaries.Length - 1 ? maxTimestamp : unchecked((long)((ulong)minTimestamp + ((ulong)(k + 1) * (ulong)interval) - 1));
                int stop = start + 1;
                while (stop < end && timestamps[stop] <= intervalMax)
                {
                    stop++;
                }

                summaries[k].Add(ColumnStatistics.Compute(decoded, start, stop - start));
                if (!counted)
                {
                    summaries[k].BlocksDecoded++;
                    counted = true;
                }

                start = stop;
            }
        }

        return result;
    }

    /// <summary>Most intervals <see cref="SummarizeFieldByInterval"/> returns (a bound on the list it allocates).</summary>
    public const int MaxSummaryIntervals = 1 << 20;

    private static int IntervalOf(long timestamp, long minTimestamp, long interval) => (int)(unchecked((ulong)timestamp - (ulong)minTimestamp) / (ulong)interval);

    // The keys and the field of a block that straddles a bound: through the block cache for a disk part when the shard
    // has one (a chart's next bucket reads the same block), else decoded into buffer.
    private Block ReadFieldBlock(IPartReader part, BlockHeader header, string field, ColumnProjection fieldOnly, Block buffer, DecodeScratch scratch)
    {
        if (_options.BlockCache is { } cache && part is PartReader disk)
        {
            return cache.ReadField(disk, header, field, fieldOnly, scratch);
        }

        part.ReadBlock(header, fieldOnly, buffer, scratch);
        return buffer;
    }

    private static Block ReadKeys(IPartReader part, BlockHeader header, Block buffer, DecodeScratch scratch)
    {
        part.ReadBlock(header, ColumnProjection.KeysOnly, buffer, scratch);
        return buffer;
    }

    private List<IPartReader> PartsToSummarize(ShardReadView view, string subject, SeriesTimeFilter filter)
    {
        ShardIndexer? indexer = _indexer;
        if (indexer is null)
        {
            return view.PartsFor(filter, null, null);
        }

        ShardIndexConfig config = indexer.ConfigOf(subject) ?? throw NotConfigured(subject);
        return view.PartsFor(filter, config.Subject, indexer.DefaultSubject);
    }
}
