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

        ShardIndexer? indexer = _indexer;
        using ShardReadView view = AcquireView();
        List<IPartReader> parts;
        if (indexer is null)
        {
            parts = view.PartsFor(filter, null, null);
        }
        else
        {
            ShardIndexConfig config = indexer.ConfigOf(subject) ?? throw NotConfigured(subject);
            parts = view.PartsFor(filter, config.Subject, indexer.DefaultSubject);
        }

        var blocks = new List<(BlockHeader Header, int Part)>();
        var found = new List<BlockHeader>();
        for (int p = 0; p < parts.Count; p++)
        {
            found.Clear();
            parts[p].FindBlocks(filter, found);
            foreach (BlockHeader header in found)
            {
                blocks.Add((header, p));
            }
        }

        blocks.Sort(static (a, b) =>
        {
            int c = a.Header.SeriesId.CompareTo(b.Header.SeriesId);
            return c != 0 ? c : a.Header.MinTimestamp.CompareTo(b.Header.MinTimestamp);
        });

        var buffer = new Block();
        var scratch = new DecodeScratch();
        ColumnProjection fieldOnly = ColumnProjection.Of([field], []);
        int i = 0;
        while (i < blocks.Count)
        {
            ulong series = blocks[i].Header.SeriesId;
            FieldSummary summary = default;
            long first = long.MaxValue;
            long last = long.MinValue;
            long previousMax = long.MinValue;
            int previousPart = -1;
            for (; i < blocks.Count && blocks[i].Header.SeriesId == series; i++)
            {
                (BlockHeader header, int part) = blocks[i];
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

                parts[part].ReadBlock(header, column is null ? ColumnProjection.KeysOnly : fieldOnly, buffer, scratch);
                ReadOnlySpan<long> timestamps = buffer.Timestamps;
                (int start, int end) = FieldSummaryReader.RowsWithin(timestamps, minTimestamp, maxTimestamp);

                if (end == start)
                {
                    continue;
                }

                first = Math.Min(first, timestamps[start]);
                last = Math.Max(last, timestamps[end - 1]);
                if (buffer.FindColumn(null, field) is { } decoded)
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
}
