using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;

namespace Banyan.Storage.Shards;

// Opening after a crash or shutdown: replaying the WAL into memory parts and indexes.
public sealed partial class Shard
{
    private void ReplayWal()
    {
        if (_wal is null)
        {
            return;
        }

        string source = _wal.DirectoryPath;

        // The WAL is kept back to the older of the parts' and the indexes' flush points, so records the
        // parts hold but the indexes lost are still there: those feed the indexes only.
        long from = _indexer is null ? _flushedLsn : Math.Min(_flushedLsn, _indexer.DurableSequence);
        long replayed = _wal.Replay(from, (lsn, payload) =>
        {
            WriteBatch batch = WriteBatchCodec.Decode(payload, $"{source} (LSN {lsn})");
            if (batch.Kind != _options.Kind)
            {
                throw new StorageCorruptionException(source, -1, $"WAL record {lsn} holds {batch.Kind} rows in a {_options.Kind} shard");
            }

            PreparedIndexBatch? indexed = PrepareReplayed(lsn, batch, source);
            if (lsn <= _flushedLsn)
            {
                lock (_indexGate)
                {
                    _indexer!.Apply(lsn, indexed!);
                }

                return;
            }

            long bytes = BatchConcatenation.EstimateBytes(batch);
            lock (_gate)
            {
                _memoryBytes += bytes;
            }

            Insert(lsn, batch, bytes, indexed);
        });
        Seal();
        Recovery = Recovery with { ReplayedRecords = replayed };
        lock (_gate)
        {
            _localLsn = _insertedThrough;
        }
    }

    private PreparedIndexBatch? PrepareReplayed(long lsn, WriteBatch batch, string source)
    {
        if (_indexer is null)
        {
            return null;
        }

        try
        {
            return _indexer.Prepare(batch);
        }
        catch (ArgumentException e)
        {
            // It was checked before it was logged, so the record or the index configuration changed.
            throw new StorageCorruptionException(source, -1, $"WAL record {lsn} cannot be indexed with the shard's index configuration: {e.Message}", e);
        }
    }
}
