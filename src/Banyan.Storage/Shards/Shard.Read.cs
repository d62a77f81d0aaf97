using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Shards;

// Read views, scans and index queries.
public sealed partial class Shard
{
    /// <summary>Takes a consistent view (disk and memory parts) for reading; dispose it after.</summary>
    public ShardReadView AcquireView()
    {
        Seal();
        PartHandle<IPartReader>[] handles;
        WriteBatch[] outOfOrder;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            handles = new PartHandle<IPartReader>[_disk.Length + _memory.Count];
            _disk.CopyTo(handles, 0);
            for (int i = 0; i < _memory.Count; i++)
            {
                handles[_disk.Length + i] = _memory[i].Handle;
            }

            foreach (PartHandle<IPartReader> handle in handles)
            {
                handle.Acquire();
            }

            // Writes acknowledged while an earlier LSN is still in flight: visible, but not sealable yet.
            outOfOrder = new WriteBatch[_pending.Count];
            for (int i = 0; i < _pending.Count; i++)
            {
                outOfOrder[i] = _pending[i].Batch;
            }
        }

        if (outOfOrder.Length > 0)
        {
            List<MemoryPart> transient = BuildParts(outOfOrder);
            PartHandle<IPartReader>[] all = new PartHandle<IPartReader>[handles.Length + transient.Count];
            handles.CopyTo(all, 0);
            for (int i = 0; i < transient.Count; i++)
            {
                all[handles.Length + i] = new PartHandle<IPartReader>(0, transient[i], null); // owned by the view alone
            }

            handles = all;
        }

        return new ShardReadView(handles, _disk.Length);
    }

    /// <summary>Rows of the queried series and time range in (series, timestamp) order, measures deduplicated by version.</summary>
    public ShardScan Scan(SeriesTimeFilter query, ColumnProjection projection) => new(AcquireView(), _options.Kind, query, projection);

    /// <summary>
    /// Rows with <paramref name="minTimestamp"/> ≤ timestamp ≤ <paramref name="maxTimestamp"/> matching
    /// <paramref name="criteria"/> (null: all), found through the indexes: the inverted index names the
    /// candidate series (measures) or elements (streams), only those are read, and what the index left
    /// open is decided on the rows. Sees every write acknowledged before the call. In (series, timestamp) order.
    /// </summary>
    /// <exception cref="InvalidOperationException">The shard has no indexes (<see cref="ShardOptions.Index"/> is null).</exception>
    /// <exception cref="ArgumentException">The time range is empty.</exception>
    public List<IndexedRow> QueryIndexed(Criteria? criteria, long minTimestamp, long maxTimestamp)
    {
        ShardIndexer indexer = _indexer ?? throw new InvalidOperationException($"shard {FolderPath} has no indexes (ShardOptions.Index is null)");
        if (minTimestamp > maxTimestamp)
        {
            throw new ArgumentException($"time range is empty: min {minTimestamp} > max {maxTimestamp}", nameof(minTimestamp));
        }

        WaitForInFlightWrites();

        // View first, then the index: every part in the view was indexed before it became visible, so
        // the index snapshot taken after covers the view (newer entries find no row and are dropped).
        ShardReadView view = AcquireView();
        var hits = new List<IndexHit>();
        try
        {
            indexer.Search(criteria, minTimestamp, maxTimestamp, hits);
        }
        catch
        {
            view.Dispose();
            throw;
        }

        return IndexedQuery.Run(view, indexer.Config, criteria, minTimestamp, maxTimestamp, hits);
    }

    private void WaitForInFlightWrites()
    {
        long target;
        lock (_gate)
        {
            target = _pending.Count == 0 ? 0 : _pending[^1].Lsn;
        }

        // A write acknowledged before this query may sit behind an earlier LSN whose writer is between
        // its WAL append and its insert (microseconds); the index sees it once that gap closes.
        long deadline = Environment.TickCount64 + InFlightWaitMilliseconds;
        SpinWait spin = default;
        while (true)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_insertedThrough >= target)
                {
                    return;
                }
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"shard {FolderPath}: writes before LSN {target} did not complete within {InFlightWaitMilliseconds} ms; the index query cannot see them");
            }

            spin.SpinOnce();
        }
    }
}
