using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards;

// Read views, scans and index queries. A read takes the current view and builds nothing the shard
// keeps: acknowledged writes not yet sealed are read through a transient sorted copy.
public sealed partial class Shard
{
    /// <summary>Takes the current view (disk parts, memory parts, buffered writes) for reading; dispose it after.</summary>
    /// <exception cref="ObjectDisposedException">The shard is closed.</exception>
    public ShardReadView AcquireView()
    {
        ThrowIfClosed();
        ShardView view = _parts.Acquire();

        // The read copies the buffered rows into a transient part, at a cost that grows with them. When there
        // are many, a seal starts in the background so the reads after this one find them in a memory part;
        // this read neither waits for it nor builds anything the shard keeps.
        if (view.BufferedRows >= ReadSealRows)
        {
            _seal.StartIfIdle();
        }

        return new(view, _options.Kind, _options.PartWriter);
    }

    /// <summary>Buffered rows from which a read starts a background seal (below <see cref="ShardOptions.SealRows"/>, the write-side threshold).</summary>
    internal const long ReadSealRows = 4_096;

    /// <summary>
    /// Every row of the shard (all subjects) in the series and time range of <paramref name="query"/>,
    /// projected to <paramref name="projection"/>, in (series, timestamp) order, measures deduplicated by
    /// version. Sees every write acknowledged before the call.
    /// </summary>
    public ShardScan Scan(SeriesTimeFilter query, ColumnProjection projection)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(projection);
        ShardReadView view = AcquireView();
        try
        {
            return new ShardScan([view], view.PartsFor(query, null, null), _options.Kind, query, projection, null);
        }
        catch
        {
            view.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The rows of <paramref name="subject"/> (a measure or stream name; empty for the default subject,
    /// or for every row of a shard without indexes) in the series set and time range of
    /// <paramref name="query"/> (null series: every series of the subject, from the series index),
    /// projected to <paramref name="projection"/>, in (series, timestamp) order, measures deduplicated by
    /// version. Sees every write acknowledged before the call.
    /// </summary>
    /// <exception cref="ArgumentException">The subject is not configured in this shard.</exception>
    public ShardScan Scan(string subject, SeriesTimeFilter query, ColumnProjection projection)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(projection);
        ShardIndexer? indexer = _indexer;
        if (indexer is null)
        {
            if (subject.Length != 0)
            {
                throw new ArgumentException($"subject '{subject}' is not configured in shard {FolderPath}, which has no indexes: its series cannot be told apart", nameof(subject));
            }

            return Scan(query, projection);
        }

        ShardIndexConfig config = indexer.ConfigOf(subject) ?? throw NotConfigured(subject);
        ShardReadView view = AcquireView();
        try
        {
            SeriesTimeFilter filter = query.SeriesIds is null ? new SeriesTimeFilter(SeriesOf(view, indexer, config.Subject, query.MinTimestamp, query.MaxTimestamp), query.MinTimestamp, query.MaxTimestamp) : query;
            return new ShardScan([view], view.PartsFor(filter, config.Subject, indexer.DefaultSubject), _options.Kind, filter, projection, null);
        }
        catch
        {
            view.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A cursor over the rows of <paramref name="subject"/> (empty: the default subject) with
    /// <paramref name="minTimestamp"/> ≤ timestamp ≤ <paramref name="maxTimestamp"/> matching
    /// <paramref name="criteria"/> (null: all), found through the indexes (candidates plus residual,
    /// decided on the rows) and projected to <paramref name="projection"/> (every column is decoded when
    /// criteria must be checked on rows). Sees every write acknowledged before the call. In (series,
    /// timestamp) order, measures deduplicated by version.
    /// </summary>
    /// <exception cref="InvalidOperationException">The shard has no indexes.</exception>
    /// <exception cref="ArgumentException">The time range is empty, or the subject is not configured.</exception>
    public IndexedScan ScanIndexed(string subject, Criteria? criteria, long minTimestamp, long maxTimestamp, ColumnProjection projection)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(projection);
        ShardIndexer indexer = _indexer ?? throw new InvalidOperationException($"shard {FolderPath} has no indexes (ShardOptions.Index is null and no subject is configured)");
        if (minTimestamp > maxTimestamp)
        {
            throw new ArgumentException($"time range is empty: min {minTimestamp} > max {maxTimestamp}", nameof(minTimestamp));
        }

        ShardIndexConfig config = indexer.ConfigOf(subject) ?? throw NotConfigured(subject);

        // View first, then the index: every part in the view was indexed before it became visible, so
        // the index searched after covers the view (newer entries find no row of the view). Buffered
        // writes are in the view but not in the index: they are decided on their rows.
        ShardReadView view = AcquireView();
        try
        {
            var hits = new List<IndexHit>();
            indexer.Search(config.Subject, criteria, minTimestamp, maxTimestamp, hits);
            var series = new HashSet<ulong>();
            foreach (IndexHit hit in hits)
            {
                series.Add(hit.SeriesId);
            }

            view.AddBufferedSeries(config.Subject, indexer.DefaultSubject, minTimestamp, maxTimestamp, series);
            ulong[] ids = [.. series];
            Array.Sort(ids);
            IndexHit[] sorted = [.. hits];
            if (config.Kind == DataKind.Stream)
            {
                sorted.AsSpan().Sort(static (a, b) =>
                {
                    int c = a.SeriesId.CompareTo(b.SeriesId);
                    c = c != 0 ? c : a.Timestamp.CompareTo(b.Timestamp);
                    return c != 0 ? c : a.ElementId.CompareTo(b.ElementId);
                });
            }

            var filter = new SeriesTimeFilter(ids, minTimestamp, maxTimestamp);
            List<IPartReader> parts = ids.Length == 0 ? [] : view.PartsFor(filter, config.Subject, indexer.DefaultSubject);
            int transientFrom = view.DiskPartCount + view.MemoryPartCount;
            return new IndexedScan(view, parts, transientFrom, config, criteria, filter, criteria is null ? projection : ColumnProjection.All, sorted);
        }
        catch
        {
            view.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The rows <see cref="ScanIndexed"/> returns for the default subject with every column, each with
    /// a dictionary of its tags: a materialising wrapper for tests and tools (services stream with
    /// <see cref="ScanIndexed"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The shard has no indexes.</exception>
    /// <exception cref="ArgumentException">The time range is empty.</exception>
    public List<IndexedRow> QueryIndexed(Criteria? criteria, long minTimestamp, long maxTimestamp)
    {
        using IndexedScan scan = ScanIndexed(string.Empty, criteria, minTimestamp, maxTimestamp, ColumnProjection.All);
        var rows = new List<IndexedRow>();
        while (scan.MoveNext())
        {
            rows.Add(new IndexedRow(scan.SeriesId, scan.Timestamp, scan.Version, scan.TagsToDictionary()));
        }

        return rows;
    }

    /// <summary>
    /// The series of <paramref name="subject"/> whose entity values begin with <paramref name="leadingValues"/> and that
    /// <paramref name="matches"/> accepts (null: every one), found in the series index with their entity values, plus
    /// the series of the subject's buffered writes in the time range that the index does not hold yet: their entity
    /// values are not checked here, so a caller that filters by entity decides them on their rows. Covers every write
    /// acknowledged before the call.
    /// </summary>
    /// <exception cref="InvalidOperationException">The shard has no indexes.</exception>
    /// <exception cref="ArgumentException">The subject is not configured.</exception>
    public SeriesSelection FindSeries(string subject, IReadOnlyList<TagValue> leadingValues, Func<IReadOnlyList<TagValue>, bool>? matches, long minTimestamp, long maxTimestamp)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(leadingValues);
        ShardIndexer indexer = _indexer ?? throw new InvalidOperationException($"shard {FolderPath} has no indexes (ShardOptions.Index is null and no subject is configured)");
        ShardIndexConfig config = indexer.ConfigOf(subject) ?? throw NotConfigured(subject);

        // The view first: a write it holds as buffered is read from there, and one it no longer holds was sealed,
        // which registers its series before the seal ends, so the index read after has it.
        HashSet<ulong>? buffered = null;
        using (ShardReadView view = AcquireView())
        {
            if (view.BufferedWrites > 0)
            {
                buffered = [];
                view.AddBufferedSeries(config.Subject, indexer.DefaultSubject, minTimestamp, maxTimestamp, buffered);
            }
        }

        // A buffered series the index already holds is decided by the index read below, which comes after this check
        // (a series registered between the two stays undecided, which only costs its rows a check).
        buffered?.RemoveWhere(indexer.Series.Contains);
        // In the prefix answer's order, ascending by id, which the selection keeps. Without a filter it is the index's
        // answer itself (read-only, and shared with the other readers of the same prefix), not a copy per read.
        IReadOnlyList<SeriesMatch> found = indexer.Series.FindByPrefix(config.Subject, leadingValues);
        IReadOnlyList<SeriesMatch> indexed = found;
        if (matches is not null)
        {
            var kept = new List<SeriesMatch>(found.Count);
            foreach (SeriesMatch match in found)
            {
                if (matches(match.EntityValues))
                {
                    kept.Add(match);
                }
            }

            indexed = kept;
        }

        if (buffered is not { Count: > 0 })
        {
            return new SeriesSelection(indexed, []);
        }

        foreach (SeriesMatch match in found)
        {
            buffered.Remove(match.SeriesId);
        }

        ulong[] unindexed = [.. buffered];
        Array.Sort(unindexed);
        return new SeriesSelection(indexed, unindexed);
    }

    // The subject's series: those the series index knows (read after the view was taken, so it covers
    // every sealed write the view holds) and those of its buffered writes, not registered yet.
    private static ulong[] SeriesOf(ShardReadView view, ShardIndexer indexer, string subject, long minTimestamp, long maxTimestamp)
    {
        ulong[] known = indexer.SeriesIdsOf(subject);
        if (view.BufferedWrites == 0)
        {
            return known;
        }

        var series = new HashSet<ulong>(known);
        int before = series.Count;
        view.AddBufferedSeries(subject, indexer.DefaultSubject, minTimestamp, maxTimestamp, series);
        if (series.Count == before)
        {
            return known;
        }

        ulong[] all = [.. series];
        Array.Sort(all);
        return all;
    }

    private ArgumentException NotConfigured(string subject) => new(
        subject.Length == 0
            ? $"the read names no subject and shard {FolderPath} has no default subject (ShardOptions.Index)"
            : $"subject '{subject}' is not configured in shard {FolderPath}; configure it (ConfigureSubject) before reading it",
        nameof(subject));
}
