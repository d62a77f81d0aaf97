using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Banyan.Storage.Bytes;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Telemetry;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Shards;

// The write path: validate and copy, back-pressure, WAL append with group commit, the write buffer,
// and sealing buffered writes into memory parts.
public sealed partial class Shard
{
    // Buffered writes a seal takes at the latest, however few rows they hold: each write copies the
    // list of buffered writes into its view, so the list is kept short (one memory part per this many
    // small writes is still far fewer than BanyanDB's one per write).
    private const int MaxBufferedWrites = 1024;

    /// <summary>
    /// Writes <paramref name="batch"/>: validation (and the indexes' preparation) before anything is
    /// logged, WAL append with group commit, then the write buffer. The task completes when the rows
    /// survive a crash (with the WAL on) and are visible to every read that starts after; no thread is
    /// held while the fsync runs. Waits, signalled and bounded by <see cref="ShardOptions.WaitTimeout"/>,
    /// while buffered writes and memory parts hold <see cref="ShardOptions.MaxMemoryBytes"/>, or the shards sharing
    /// its <see cref="ShardOptions.MemoryBudget"/> hold the budget's bound (back-pressure).
    /// The caller may reuse its batch once the task has started.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is of the other kind, a column lacks values, or the subject or a row is refused by the indexes.</exception>
    /// <exception cref="StorageFullException">The disk is full; the batch was not written.</exception>
    /// <exception cref="TimeoutException">Memory stayed full for <see cref="ShardOptions.WaitTimeout"/>; the batch was not written.</exception>
    public ValueTask WriteAsync(WriteBatch batch) => WriteCoreAsync(batch, BatchOwnership.CallerKeeps, blocking: false);

    /// <summary>
    /// <see cref="WriteAsync(WriteBatch)"/> with the batch's ownership stated: with <see cref="BatchOwnership.HandedOver"/>
    /// the shard buffers <paramref name="batch"/> itself instead of a copy, and the caller must never change it again.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is of the other kind, a column lacks values, or the subject or a row is refused by the indexes.</exception>
    /// <exception cref="StorageFullException">The disk is full; the batch was not written.</exception>
    /// <exception cref="TimeoutException">Memory stayed full for <see cref="ShardOptions.WaitTimeout"/>; the batch was not written.</exception>
    public ValueTask WriteAsync(WriteBatch batch, BatchOwnership ownership) => WriteCoreAsync(batch, ownership, blocking: false);

    /// <summary>Synchronous <see cref="WriteAsync(WriteBatch)"/> for tests and tools: the WAL fsync runs on the caller's thread (as the group commit leader) or blocks it.</summary>
    public void Write(WriteBatch batch)
    {
        ValueTask pending = WriteCoreAsync(batch, BatchOwnership.CallerKeeps, blocking: true);
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    // The one write path. `blocking` only chooses how the WAL append waits for its fsync. A batch the caller keeps is
    // copied (the buffer must not change under the shard), and the copy is made while the batch's WAL record waits for
    // its fsync rather than before the record is written, so the copy is off the write's critical path: the record is
    // encoded from the caller's batch, which the caller may not change before this method first returns to it. Only a
    // write that must wait for memory first copies before it waits, since the caller may reuse its batch during that wait.
    private async ValueTask WriteCoreAsync(WriteBatch batch, BatchOwnership ownership, bool blocking)
    {
        PreparedIndexBatch? indexed = Prepare(batch);
        if (batch.Count == 0)
        {
            return;
        }

        long bytes = BatchConcatenation.EstimateBytes(batch);
        WriteBatch? buffered = ownership == BatchOwnership.HandedOver ? batch : null;
        if (!_parts.TryReserve(bytes, _options.MaxMemoryBytes))
        {
            buffered ??= BatchConcatenation.Copy(batch);
            long waitStarted = Stopwatch.GetTimestamp();
            try
            {
                await WaitForMemoryAsync(bytes).ConfigureAwait(false);
            }
            finally
            {
                StorageMetrics.WriteMemoryWaitDuration.Record(Stopwatch.GetElapsedTime(waitStarted).TotalSeconds);
            }
        }

        long lsn;
        try
        {
            if (_wal is null)
            {
                buffered ??= BatchConcatenation.Copy(batch);
                lsn = Interlocked.Increment(ref _localLsn);
            }
            else
            {
                WriteBatch logged = buffered ?? batch;
                ByteBuffer payload = EncodeForWal(logged, _indexer?.OmissionFor(logged));
                try
                {
                    if (blocking)
                    {
                        (lsn, buffered) = buffered is null ? AppendWhileCopying(_wal, payload.WrittenSpan, batch) : (_wal.Append(payload.WrittenSpan), buffered);
                    }
                    else
                    {
                        // The record is written before AppendAsync returns (its fsync is then led on the pool or by another
                        // writer): the copy runs during that fsync, and the append is awaited whatever the copy does.
                        ValueTask<long> durable = _wal.AppendAsync(payload.WrittenMemory);
                        try
                        {
                            buffered ??= BatchConcatenation.Copy(batch);
                        }
                        finally
                        {
                            lsn = await durable.ConfigureAwait(false);
                        }
                    }
                }
                finally
                {
                    payload.Dispose();
                    _resources.BufferReturned();
                }
            }
        }
        catch
        {
            _parts.Unreserve(bytes);
            throw;
        }

        Buffer(BufferedWrite.Of(lsn, buffered!, bytes, indexed));
    }

    // The blocking append of a batch the caller keeps: the copy is made between the record's write and its fsync. Apart
    // from the write path's async method so that only this path allocates the delegate and what it captures.
    private static (long Lsn, WriteBatch Copy) AppendWhileCopying(WriteAheadLog wal, ReadOnlySpan<byte> payload, WriteBatch batch)
    {
        WriteBatch? copy = null;
        long lsn = wal.Append(payload, () => copy = BatchConcatenation.Copy(batch));
        return (lsn, copy!);
    }

    // Sized for the log's encoding (8-byte series ids and floats), so the buffer is not regrown. The entity tags of series
    // the series index holds in its files are left out (ShardIndexer.OmissionFor): a replay restores them from there.
    private ByteBuffer EncodeForWal(WriteBatch batch, EntityOmission? omission)
    {
        var payload = new ByteBuffer(Math.Max(256, batch.Count * (24 + (8 * batch.Columns.Count))));
        _resources.BufferRented();
        try
        {
            WriteBatchCodec.Encode(batch, payload, omission);
            return payload;
        }
        catch
        {
            payload.Dispose();
            _resources.BufferReturned();
            throw;
        }
    }

    // Checks the batch and prepares the indexes, before anything is logged: a batch the indexes reject must not be logged.
    private PreparedIndexBatch? Prepare(WriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Kind != _options.Kind)
        {
            throw new ArgumentException($"batch holds {batch.Kind} rows, this shard stores {_options.Kind} rows", nameof(batch));
        }

        ThrowIfClosed();
        batch.Validate();
        return _indexer?.Prepare(batch);
    }

    // Back-pressure: memory is full. Asks for a flush (its failure, a full disk, is this write's error:
    // nothing was logged) and waits for it or for any change of the shard's state, then tries again. A
    // flush that found nothing to do (memory held by writes still waiting for their fsync) is not asked
    // again until something changes. With a memory budget the memory may be other shards': the budget is
    // asked to flush the shard holding the most, and memory given back anywhere wakes the wait. Every wait
    // is on a task; the whole wait is bounded.
    private async ValueTask WaitForMemoryAsync(long bytes)
    {
        long deadline = Environment.TickCount64 + (long)_options.WaitTimeout.TotalMilliseconds;
        bool askFlush = true;
        MemoryBudget? budget = _options.MemoryBudget;
        while (true)
        {
            Task change = _parts.NextChange();
            Task? released = budget?.NextChange();
            if (_parts.TryReserve(bytes, _options.MaxMemoryBytes))
            {
                return;
            }

            budget?.Relieve();

            long remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
            {
                throw MemoryTimeout(bytes);
            }

            Task<bool>? flush = askFlush ? _flush.Request() : null;
            try
            {
                Task any = (flush, released) switch
                {
                    (null, null) => change,
                    (null, { } r) => Task.WhenAny(change, r),
                    ({ } f, null) => Task.WhenAny(f, change),
                    ({ } f, { } r) => Task.WhenAny(f, change, r),
                };
                await any.WaitAsync(TimeSpan.FromMilliseconds(remaining)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw MemoryTimeout(bytes);
            }

            if (flush is { IsCompleted: true })
            {
                if (flush.Exception is { } failure)
                {
                    ExceptionDispatchInfo.Throw(failure.InnerException ?? failure);
                }

                askFlush = flush.Result;
            }
            else
            {
                askFlush = true;
            }
        }
    }

    private TimeoutException MemoryTimeout(long bytes) => new(
        $"shard {FolderPath}: a write of {bytes} bytes waited {_options.WaitTimeout.TotalSeconds:0.#} s for memory (buffered writes and memory parts hold {_parts.MemoryBytes} bytes, "
        + $"MaxMemoryBytes is {_options.MaxMemoryBytes}{BudgetState()}) and was not written: flushes could not free enough in time");

    private string BudgetState() => _options.MemoryBudget is { } budget
        ? $"; the {budget.ShardCount} shards of the memory budget hold {budget.HeldBytes} bytes, its bound is {budget.MaxBytes}"
        : string.Empty;

    // The write is acknowledged (durable with the WAL on): it joins the write buffer. Crossing a
    // threshold starts a seal or a flush in the background unless one runs; their failures never fail
    // this write (a caller told "not written" would retry and store the batch twice).
    private void Buffer(BufferedWrite write)
    {
        // Before it joins the buffer, where a seal may apply it at once: the indexer forgets its accepted series there.
        _indexer?.Accept(write.Index);
        (long bufferedRows, int bufferedWrites, int memoryParts, long memoryBytes) = _parts.IntroduceWrite(write);
        if (bufferedRows >= _options.SealRows || bufferedWrites >= MaxBufferedWrites)
        {
            _seal.StartIfIdle();
        }

        if (memoryBytes >= _options.FlushThresholdBytes || memoryParts >= _options.MaxMemoryParts)
        {
            _flush.StartIfIdle();
        }

        if (_options.MemoryBudget is { OverFlushThreshold: true } budget)
        {
            budget.Relieve();
        }
    }

    /// <summary>
    /// Builds the buffered writes that form an unbroken LSN run into memory parts (writes start it in
    /// the background once <see cref="ShardOptions.SealRows"/> rows are buffered; flushes wait for it).
    /// Reads never need it.
    /// </summary>
    public Task SealAsync()
    {
        ThrowIfClosed();
        return _seal.Request();
    }

    // One seal: the unbroken run of buffered writes becomes memory parts (one, unless a subject's
    // column changed type). Built outside every lock: writers keep buffering meanwhile.
    private bool SealPass()
    {
        BufferedWrite[] taken = _parts.SealablePrefix();
        if (taken.Length == 0)
        {
            return false;
        }

        var batches = new WriteBatch[taken.Length];
        long bytes = 0;
        for (int i = 0; i < taken.Length; i++)
        {
            batches[i] = taken[i].Batch;
            bytes += taken[i].Bytes;
        }

        ShardIndexer? entityIndex = _indexer;
        List<MemoryPart> parts = MemoryPartBuilder.BuildAll(
            batches,
            _options.Kind,
            _options.PartWriter,
            entityTagsOf: entityIndex is null ? null : subject => entityIndex.ConfigOf(subject)?.EntityTagNames);

        // In LSN order (an unbroken run after every earlier one), and before the memory parts become
        // visible, so every part a view holds is in the indexes.
        if (_indexer is { } indexer)
        {
            foreach (BufferedWrite write in taken)
            {
                indexer.Apply(write.Lsn, write.Index);
            }
        }

        int memoryParts = _parts.IntroduceMemoryParts(taken.Length, parts, taken[0].Lsn, taken[^1].Lsn, bytes);
        if (memoryParts >= _options.MaxMemoryParts)
        {
            _flush.StartIfIdle();
        }

        return true;
    }
}
