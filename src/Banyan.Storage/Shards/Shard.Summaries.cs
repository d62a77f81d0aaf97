using System.Runtime.InteropServices;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards;

// Aggregates answered from block headers: a block wholly inside the range gives its field's statistics without being
// read; only the blocks that straddle a bound are decoded. Only a series with a timestamp in blocks of two parts (a key
// that may have versions in both) is read row by row, through the merge a scan uses.
public sealed partial class Shard
{
    /// <summary>
    /// Summaries of numeric <paramref name="field"/> over [<paramref name="minTimestamp"/>, <paramref name="maxTimestamp"/>]
    /// for each of <paramref name="seriesIds"/> (ascending) with rows in the range, in series order: from block-header
    /// statistics for blocks wholly inside the range, by decoding the others. A series whose blocks in different parts
    /// overlap in time has their timestamps in the range compared: when a timestamp occurs in two parts (its rows may be
    /// versions of one another), the series is read row by row instead, through the merge a scan uses, so its newest
    /// versions count once; otherwise it is summarized block by block like every other series. Returns null when the
    /// field changed type. Sees every write acknowledged before the call. <paramref name="subject"/> as in
    /// <see cref="Scan(string, SeriesTimeFilter, ColumnProjection)"/>.
    /// </summary>
    /// <param name="subject">The subject.</param>
    /// <param name="seriesIds">The series, ascending.</param>
    /// <param name="minTimestamp">Inclusive lower bound.</param>
    /// <param name="maxTimestamp">Inclusive upper bound.</param>
    /// <param name="field">The numeric field.</param>
    /// <param name="into">
    /// A list to fill (cleared first) instead of a new one, so that a caller answering many requests reuses one; the
    /// result is this list except when some series were read row by row.
    /// </param>
    /// <param name="parts">
    /// What of each summary the caller reads (<see cref="SummaryParts"/>; the rest is left unspecified): for a count
    /// alone, a block across a bound whose timestamps are evenly spaced and whose field has no nulls is counted from its
    /// header, not read; without the minimum and maximum, a block that is read is only summed.
    /// </param>
    /// <exception cref="ArgumentException">The subject is not configured, or the field is not numeric.</exception>
    public List<SeriesFieldSummary>? SummarizeField(string subject, ReadOnlyMemory<ulong> seriesIds, long minTimestamp, long maxTimestamp, string field, List<SeriesFieldSummary>? into = null, SummaryParts parts = SummaryParts.All)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentException.ThrowIfNullOrEmpty(field);
        var filter = new SeriesTimeFilter(WholeArray(seriesIds), minTimestamp, maxTimestamp);
        into?.Clear();
        List<SeriesFieldSummary> result = into ?? new List<SeriesFieldSummary>(Math.Min(seriesIds.Length, 1024)); // one per series with rows: a query's few grow no more
        if (seriesIds.Length == 0 || minTimestamp > maxTimestamp)
        {
            return result;
        }

        using ShardReadView view = AcquireView();
        List<IPartReader> readers = PartsToSummarize(view, subject, filter);
        var versioned = new List<(ulong Series, int Blocks)>();
        using (BlockMerge blocks = BlockMerge.Start(readers, filter))
        {
            var scratch = new DecodeScratch();
            ColumnProjection fieldOnly = ColumnProjection.Of([field], []);
            var summarizer = new FieldBlockSummarizer(_options.BlockCache, field, fieldOnly, minTimestamp, maxTimestamp, parts, scratch);
            if (blocks.TryOnePart(out List<BlockHeader>? onePart, out int part))
            {
                // Every block found is in one part (one part in all, or the only one whose blocks meet the range): a
                // part holds each series' blocks once, in time order, so there is nothing to merge or compare.
                return SummarizeOnePart(onePart, readers[part], summarizer, result) ? result : null;
            }

            var check = new SharedTimestampCheck(readers, _options.BlockCache, field, fieldOnly, minTimestamp, maxTimestamp, scratch);
            foreach (List<(BlockHeader Header, int Part)> ofSeries in SeriesApart(blocks, check, versioned))
            {
                summarizer.Begin();
                foreach ((BlockHeader header, int of) in ofSeries)
                {
                    if (!summarizer.Add(header, readers[of]))
                    {
                        return null;
                    }
                }

                summarizer.End(ofSeries[0].Header.SeriesId, result);
            }
        }

        if (versioned.Count == 0)
        {
            return result;
        }

        List<SeriesFieldSummary>? fromRows = SummarizeRows(readers, versioned, minTimestamp, maxTimestamp, field);
        return fromRows is null ? null : InSeriesOrder(result, fromRows);
    }

    // The ids as an array for the filter: the array itself when they are all of one (a cached index answer's, or the
    // caller's), else a copy. The filter only reads it.
    private static ulong[] WholeArray(ReadOnlyMemory<ulong> ids) =>
        MemoryMarshal.TryGetArray(ids, out ArraySegment<ulong> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : ids.ToArray();

    // The summaries of blocks of one part, in (series, time) order, a series' blocks together; false when the field
    // changed type within a series.
    private static bool SummarizeOnePart(List<BlockHeader> blocks, IPartReader part, FieldBlockSummarizer summarizer, List<SeriesFieldSummary> result)
    {
        ulong series = blocks[0].SeriesId;
        foreach (BlockHeader header in blocks)
        {
            if (header.SeriesId != series)
            {
                summarizer.End(series, result);
                summarizer.Begin();
                series = header.SeriesId;
            }

            if (!summarizer.Add(header, part))
            {
                return false;
            }
        }

        summarizer.End(series, result);
        return true;
    }

    /// <summary>
    /// The summaries of numeric <paramref name="field"/> over [<paramref name="minTimestamp"/>, <paramref name="maxTimestamp"/>]
    /// cut into intervals of <paramref name="interval"/> nanoseconds from <paramref name="minTimestamp"/> (interval k is
    /// [min + k·interval, min + (k + 1)·interval − 1], the last one ending at max), each over all of
    /// <paramref name="seriesIds"/> (ascending) together: one entry per interval, empty where no row has the field. A
    /// block wholly inside one interval gives its header statistics; a block across intervals or across a bound of the
    /// range is decoded once and its rows added to their intervals. A float field's sums are added block by block in
    /// series then time order, so they may differ in the last bits from a row-by-row sum. A series with a timestamp in
    /// the range in blocks of two different parts is read row by row, as in <see cref="SummarizeField"/>. Returns null
    /// when the field changed type. Sees every write acknowledged before the call.
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
        Span<FieldSummary> summaries = CollectionsMarshal.AsSpan(result);
        ColumnValueType type = 0;
        var versioned = new List<(ulong Series, int Blocks)>();
        using (BlockMerge blocks = BlockMerge.Start(parts, filter))
        {
            Block? buffer = null;
            var scratch = new DecodeScratch();
            ColumnProjection fieldOnly = ColumnProjection.Of([field], []);
            var check = new SharedTimestampCheck(parts, _options.BlockCache, field, fieldOnly, minTimestamp, maxTimestamp, scratch);
            int fieldAt = 0; // where the field was in the last block's header: mostly where it is in the next
            foreach (List<(BlockHeader Header, int Part)> ofSeries in SeriesApart(blocks, check, versioned))
            {
                foreach ((BlockHeader header, int part) in ofSeries)
                {
                    ColumnHeader? column = FieldBlockSummarizer.NumericField(header, field, ref fieldAt);
                    if (column is null)
                    {
                        continue; // no row of this block has the field
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

                    Block read = FieldBlockSummarizer.ReadField(_options.BlockCache, parts[part], header, field, fieldOnly, ref buffer, scratch);
                    ColumnBuffer? decoded = read.FindColumn(null, field);
                    if (decoded is null)
                    {
                        continue;
                    }

                    ReadOnlySpan<long> timestamps = read.Timestamps;
                    (int start, int end) = SortedTimestamps.Within(header, timestamps, minTimestamp, maxTimestamp);
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
            }
        }

        if (versioned.Count == 0)
        {
            return result;
        }

        // The series with versions row by row, each row into its interval; a series' blocks counted as decoded in the
        // interval of its first row.
        PartMergeIterator rows = VersionedRows(parts, versioned, minTimestamp, maxTimestamp, field);
        int seriesAt = -1;
        while (rows.MoveNext())
        {
            int k = IntervalOf(rows.Timestamp, minTimestamp, interval);
            if (seriesAt < 0 || versioned[seriesAt].Series != rows.SeriesId)
            {
                seriesAt = IndexOfSeries(versioned, rows.SeriesId, seriesAt + 1);
                summaries[k].BlocksDecoded += versioned[seriesAt].Blocks;
            }

            if (RunStatistics(rows, field) is not { } one)
            {
                continue;
            }

            if (type != 0 && one.Type != type)
            {
                return null;
            }

            type = one.Type;
            summaries[k].Add(one);
        }

        return result;
    }

    /// <summary>Most intervals <see cref="SummarizeFieldByInterval"/> returns (a bound on the list it allocates).</summary>
    public const int MaxSummaryIntervals = 1 << 20;

    private static int IntervalOf(long timestamp, long minTimestamp, long interval) => (int)(unchecked((ulong)timestamp - (ulong)minTimestamp) / (ulong)interval);

    // The merge's series one by one, each with its blocks (one list, refilled for the next series), to be summarized
    // block by block, except those with a timestamp in the range in blocks of two different parts: those go to
    // versioned (series, blocks) for a row-by-row read that counts each key's newest version once. Only the series whose
    // blocks overlap between parts are checked, their timestamps read, for that.
    private static IEnumerable<List<(BlockHeader Header, int Part)>> SeriesApart(BlockMerge blocks, SharedTimestampCheck check, List<(ulong Series, int Blocks)> versioned)
    {
        var ofSeries = new List<(BlockHeader Header, int Part)>();
        while (blocks.HasCurrent)
        {
            ulong series = blocks.Current.SeriesId;
            if (TakeSeriesBlocks(blocks, ofSeries) && check.Finds(ofSeries))
            {
                versioned.Add((series, ofSeries.Count));
                continue;
            }

            yield return ofSeries;
        }
    }

    // Moves the merge past the current series' blocks, gathering them into ofSeries; true when blocks of the series in
    // different parts overlap in time, so their rows may be versions of one another (SharedTimestampCheck then looks at
    // their timestamps). Blocks of one part never overlap: a part holds a series' rows once, sorted.
    private static bool TakeSeriesBlocks(BlockMerge blocks, List<(BlockHeader Header, int Part)> ofSeries)
    {
        ofSeries.Clear();
        ulong series = blocks.Current.SeriesId;
        long previousMax = long.MinValue;
        int previousPart = -1;
        bool overlap = false;
        for (; blocks.HasCurrent && blocks.Current.SeriesId == series; blocks.Advance())
        {
            BlockHeader header = blocks.Current;
            int part = blocks.CurrentPart;
            overlap |= previousPart >= 0 && part != previousPart && header.MinTimestamp <= previousMax;
            previousMax = Math.Max(previousMax, header.MaxTimestamp);
            previousPart = part;
            ofSeries.Add((header, part));
        }

        return overlap;
    }

    // The series (ascending) with a timestamp in two parts, read row by row in the range through the merge a scan uses:
    // measures deduplicated by version, as a scan answers them.
    private PartMergeIterator VersionedRows(List<IPartReader> parts, List<(ulong Series, int Blocks)> series, long minTimestamp, long maxTimestamp, string field) =>
        new(parts, _options.Kind, new SeriesTimeFilter([.. series.Select(s => s.Series)], minTimestamp, maxTimestamp), ColumnProjection.Of([field], []));

    // The index of series in versioned (ascending) from start on: the rows come in the same order, so the walk is
    // linear over a whole read.
    private static int IndexOfSeries(List<(ulong Series, int Blocks)> versioned, ulong series, int start)
    {
        int i = start;
        while (versioned[i].Series != series)
        {
            i++;
        }

        return i;
    }

    // The field's statistics over the iterator's current run (CurrentRunLength rows of one block: one row after
    // MoveNext); null when none of them has a value of it.
    private static ColumnStatistics? RunStatistics(PartMergeIterator rows, string field)
    {
        ColumnBuffer? column = rows.CurrentBlock.FindColumn(null, field);
        if (column is null)
        {
            return null;
        }

        FieldSummaryReader.ThrowIfNotNumeric(column.Type, field);
        ColumnStatistics run = ColumnStatistics.Compute(column, rows.CurrentRow, rows.CurrentRunLength);
        return run.IsPresent && run.Count > 0 ? run : null;
    }

    // Per-series summaries of the series with versions, through the row merge; null when the field changed type among their rows.
    private List<SeriesFieldSummary>? SummarizeRows(List<IPartReader> parts, List<(ulong Series, int Blocks)> series, long minTimestamp, long maxTimestamp, string field)
    {
        var result = new List<SeriesFieldSummary>(series.Count);
        PartMergeIterator rows = VersionedRows(parts, series, minTimestamp, maxTimestamp, field);
        bool more = rows.MoveNextRun();
        int seriesAt = -1;
        while (more)
        {
            ulong id = rows.SeriesId;
            seriesAt = IndexOfSeries(series, id, seriesAt + 1);
            FieldSummary summary = default;
            summary.BlocksDecoded = series[seriesAt].Blocks;
            long first = rows.Timestamp;
            long last = first;

            // In runs: the stretches of one part's block that no other part's rows reach are taken whole.
            for (; more && rows.SeriesId == id; more = rows.MoveNextRun())
            {
                last = rows.CurrentBlock.Timestamps[rows.CurrentRow + rows.CurrentRunLength - 1];
                if (RunStatistics(rows, field) is not { } one)
                {
                    continue;
                }

                if (summary.Type != 0 && one.Type != summary.Type)
                {
                    return null;
                }

                summary.Add(one);
            }

            result.Add(new SeriesFieldSummary(id, summary, first, last));
        }

        return result;
    }

    // Two lists of summaries, each in series order and of disjoint series, as one in series order.
    private static List<SeriesFieldSummary> InSeriesOrder(List<SeriesFieldSummary> a, List<SeriesFieldSummary> b)
    {
        var merged = new List<SeriesFieldSummary>(a.Count + b.Count);
        int i = 0;
        int j = 0;
        while (i < a.Count || j < b.Count)
        {
            merged.Add(j == b.Count || (i < a.Count && a[i].SeriesId < b[j].SeriesId) ? a[i++] : b[j++]);
        }

        return merged;
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
