using Banyan.Storage.Bytes;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Shards;

// The write path: validate and copy, back-pressure, WAL append, the write buffer, and sealing buffered writes into memory parts.
public sealed partial class Shard
{
    /// <summary>
    /// Writes <paramref name="batch"/>: WAL append with group commit, then a memory part. When this
    /// returns, the rows survive a crash (with the WAL on) and are visible to new reads.
    /// Waits (back-pressure) while memory parts are at <see cref="ShardOptions.MaxMemoryBytes"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is of the other kind, or a column lacks values.</exception>
    /// <exception cref="StorageFullException">The disk is full; the batch was not written.</exception>
    public void Write(WriteBatch batch)
    {
        WriteBatch copy = Prepare(batch, out long bytes, out PreparedIndexBatch? indexed);
        if (copy.Count == 0)
        {
            return;
        }

        Reserve(bytes);
        long lsn;
        try
        {
            if (_wal is null)
            {
                lsn = Interlocked.Increment(ref _localLsn);
            }
            else
            {
                using ByteBuffer payload = EncodeForWal(batch);
                lsn = _wal.Append(payload.WrittenSpan);
            }
        }
        catch
        {
            Unreserve(bytes);
            throw;
        }

        Insert(lsn, copy, bytes, indexed);
        FlushIfOverThreshold();
    }

    /// <summary>Asynchronous <see cref="Write"/>: the WAL fsync and any forced flush run off the caller's thread.</summary>
    public async ValueTask WriteAsync(WriteBatch batch)
    {
        WriteBatch copy = Prepare(batch, out long bytes, out PreparedIndexBatch? indexed);
        if (copy.Count == 0)
        {
            return;
        }

        await ReserveAsync(bytes).ConfigureAwait(false);
        long lsn;
        try
        {
            if (_wal is null)
            {
                lsn = Interlocked.Increment(ref _localLsn);
            }
            else
            {
                using ByteBuffer payload = EncodeForWal(batch);
                lsn = await _wal.AppendAsync(payload.WrittenMemory).ConfigureAwait(false);
            }
        }
        catch
        {
            Unreserve(bytes);
            throw;
        }

        Insert(lsn, copy, bytes, indexed);
        if (OverFlushThreshold())
        {
            await Task.Run(FlushIfOverThreshold).ConfigureAwait(false);
        }
    }

    // Sized for the log's encoding (8-byte series ids and floats), so the buffer is not regrown.
    private static ByteBuffer EncodeForWal(WriteBatch batch)
    {
        var payload = new ByteBuffer(Math.Max(256, batch.Count * (24 + (8 * batch.Columns.Count))));
        try
        {
            WriteBatchCodec.Encode(batch, payload);
            return payload;
        }
        catch
        {
            payload.Dispose();
            throw;
        }
    }

    private WriteBatch Prepare(WriteBatch batch, out long bytes, out PreparedIndexBatch? indexed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Kind != _options.Kind)
        {
            throw new ArgumentException($"batch holds {batch.Kind} rows, this shard stores {_options.Kind} rows", nameof(batch));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        batch.Validate();

        // Before the WAL append: a batch the indexes reject must not be logged.
        indexed = _indexer?.Prepare(batch);
        WriteBatch copy = BatchConcatenation.Copy(batch);
        bytes = BatchConcatenation.EstimateBytes(copy);
        return copy;
    }

    private bool TryReserve(long bytes)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_memoryBytes > 0 && _memoryBytes + bytes > _options.MaxMemoryBytes)
            {
                return false;
            }

            _memoryBytes += bytes;
            return true;
        }
    }

    private void Reserve(long bytes)
    {
        while (!TryReserve(bytes))
        {
            // Back-pressure: make room ourselves. When nothing is flushable yet, the memory is held by
            // writes still waiting for their fsync; they finish within one sync.
            if (!Flush())
            {
                Thread.Sleep(1);
            }
        }
    }

    private async ValueTask ReserveAsync(long bytes)
    {
        while (!TryReserve(bytes))
        {
            bool flushed = await Task.Run(Flush).ConfigureAwait(false);
            if (!flushed)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
        }
    }

    private void Unreserve(long bytes)
    {
        lock (_gate)
        {
            _memoryBytes -= bytes;
        }
    }

    private void Insert(long lsn, WriteBatch batch, long bytes, PreparedIndexBatch? indexed)
    {
        bool seal;
        lock (_gate)
        {
            int at = _pending.Count;
            while (at > 0 && _pending[at - 1].Lsn > lsn)
            {
                at--;
            }

            _pending.Insert(at, new PendingWrite(lsn, batch, bytes, indexed));
            _pendingRows += batch.Count;
            if (lsn == _insertedThrough + 1)
            {
                _insertedThrough = lsn;
                for (int i = at + 1; i < _pending.Count && _pending[i].Lsn == _insertedThrough + 1; i++)
                {
                    _insertedThrough++;
                }
            }

            seal = _pendingRows >= _options.SealRows;
        }

        if (seal && Monitor.TryEnter(_sealGate))
        {
            try
            {
                Seal();
            }
            finally
            {
                Monitor.Exit(_sealGate);
            }
        }
    }

    /// <summary>
    /// Builds the buffered writes that form an unbroken LSN run into one memory part (reads and
    /// flushes call this; writes call it once <see cref="ShardOptions.SealRows"/> rows are buffered).
    /// </summary>
    public void Seal()
    {
        lock (_sealGate)
        {
            WriteBatch[] batches;
            PendingWrite[] taken;
            long firstLsn;
            long lastLsn;
            long bytes = 0;
            long rows = 0;
            lock (_gate)
            {
                int count = 0;
                while (count < _pending.Count && _pending[count].Lsn <= _insertedThrough)
                {
                    bytes += _pending[count].Bytes;
                    rows += _pending[count].Batch.Count;
                    count++;
                }

                if (count == 0)
                {
                    return;
                }

                batches = new WriteBatch[count];
                taken = new PendingWrite[count];
                for (int i = 0; i < count; i++)
                {
                    batches[i] = _pending[i].Batch;
                    taken[i] = _pending[i];
                }

                firstLsn = _pending[0].Lsn;
                lastLsn = _pending[count - 1].Lsn;
            }

            // Built outside the shard lock: writers keep appending meanwhile (with higher LSNs).
            List<MemoryPart> parts = BuildParts(batches);

            // In LSN order (this is an unbroken run after every earlier one), and before the memory part
            // becomes visible, so every part a read view holds is in the indexes.
            ApplyToIndexes(taken);
            lock (_gate)
            {
                _pending.RemoveRange(0, batches.Length);
                _pendingRows -= rows;
                for (int i = 0; i < parts.Count; i++)
                {
                    // The bytes are charged to the last part, so a flush frees them all together.
                    long charged = i == parts.Count - 1 ? bytes : 0;
                    _memory.Add(new MemoryEntry(firstLsn, lastLsn, new PartHandle<IPartReader>(lastLsn, parts[i], null), charged));
                }
            }
        }
    }

    private List<MemoryPart> BuildParts(WriteBatch[] batches) => MemoryPartBuilder.BuildAll(batches, _options.Kind, _options.PartWriter);

    private void ApplyToIndexes(PendingWrite[] writes)
    {
        if (_indexer is null)
        {
            return;
        }

        lock (_indexGate)
        {
            foreach (PendingWrite write in writes)
            {
                _indexer.Apply(write.Lsn, write.Index!);
            }
        }
    }
}
