using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;

namespace Banyan.Storage.Shards;

// Opening after a crash or shutdown: replaying the WAL into the write buffer and the indexes.
public sealed partial class Shard
{
    private void ReplayWal()
    {
        if (_wal is null)
        {
            return;
        }

        string source = _wal.DirectoryPath;
        long flushed = _parts.FlushedLsn;
        ShardIndexer? indexer = _indexer;
        long unindexed = 0;

        // The WAL is kept back to the older of the parts' and the indexes' flush points, so records the
        // parts hold but the indexes lost are still there: those feed the indexes only.
        long from = indexer is null ? flushed : Math.Min(flushed, indexer.DurableSequence);

        // Records leave out the entity tags of series the series index held in its files when they were written: the
        // files hold them still, so each series' key is decoded once here, into one arena the restored rows point at.
        Dictionary<ulong, SeriesEntityBytes?> entities = [];
        SeriesEntityArena arena = new();
        SeriesEntityBytesLookup? entityValues = indexer is null ? null : id =>
        {
            if (!entities.TryGetValue(id, out SeriesEntityBytes? values))
            {
                values = indexer.EntityValuesOf(id) is { } key ? arena.Add(key) : null;
                entities[id] = values;
            }

            return values;
        };
        long replayed = _wal.Replay(from, (lsn, payload) =>
        {
            WriteBatch batch = WriteBatchCodec.Decode(payload, $"{source} (LSN {lsn})", 0, entityValues);
            if (batch.Kind != _options.Kind)
            {
                throw new StorageCorruptionException(source, -1, $"WAL record {lsn} holds {batch.Kind} rows in a {_options.Kind} shard");
            }

            PreparedIndexBatch? indexed = null;
            if (indexer is not null && indexer.IsConfigured(batch.Subject))
            {
                try
                {
                    indexed = indexer.Prepare(batch);
                }
                catch (ArgumentException)
                {
                    // It was accepted when logged, so the subject was configured only afterwards, or its
                    // configuration changed since: the rows come back, without index entries.
                    unindexed++;
                }
            }
            else if (indexer is not null)
            {
                unindexed++; // logged before any subject was configured
            }

            if (lsn <= flushed)
            {
                indexer?.Apply(lsn, indexed);
                return;
            }

            long bytes = BatchConcatenation.EstimateBytes(batch);
            _parts.Charge(bytes);
            _parts.IntroduceWrite(BufferedWrite.Of(lsn, batch, bytes, indexed));
        });

        while (SealPass())
        {
        }

        Recovery = Recovery with { ReplayedRecords = replayed, UnindexedRecords = unindexed };
        ShardView view = _parts.Acquire();
        _localLsn = view.BufferedThrough;
        view.Release();
    }
}
