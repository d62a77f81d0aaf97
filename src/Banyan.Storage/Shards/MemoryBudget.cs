namespace Banyan.Storage.Shards;

/// <summary>
/// A bound on the memory that all the shards sharing it hold together in buffered writes and memory parts (the bytes
/// <see cref="Shard.MemoryBytes"/> counts). <see cref="ShardOptions.MaxMemoryBytes"/> bounds one shard, but a process
/// hosts many: every shard of every segment of every group it writes to, so without a budget its memory grows with the
/// number of shards. Past <see cref="FlushThresholdBytes"/> a write asks the shard holding the most to flush; a write
/// that would take the shards past <see cref="MaxBytes"/> waits for memory (back-pressure, bounded by
/// <see cref="ShardOptions.WaitTimeout"/>) exactly as at its own shard's bound, and asks the same. Give one budget to
/// every shard of a process through <see cref="ShardOptions.MemoryBudget"/>.
/// </summary>
/// <remarks>
/// The budget's lock guards a few fields and never calls out while held; a shard takes it inside its part set's lock
/// (reservations), never the other way round. A single write larger than <see cref="MaxBytes"/> still gets its memory
/// when the shards hold nothing, so no write waits forever.
/// </remarks>
public sealed class MemoryBudget
{
    private readonly object _gate = new();
    private readonly List<Shard> _shards = [];
    private long _held;
    private TaskCompletionSource? _change;
    private Task? _relief;

    /// <summary>A budget that asks for flushes past <paramref name="flushThresholdBytes"/> and holds writes at <paramref name="maxBytes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not positive, or the bound is below it.</exception>
    public MemoryBudget(long flushThresholdBytes, long maxBytes)
    {
        if (flushThresholdBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(flushThresholdBytes), flushThresholdBytes, "the flush threshold of a memory budget must be positive");
        }

        if (maxBytes < flushThresholdBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, $"the bound of a memory budget must be at least its flush threshold ({flushThresholdBytes} bytes)");
        }

        FlushThresholdBytes = flushThresholdBytes;
        MaxBytes = maxBytes;
    }

    /// <summary>Held bytes from which a write asks the shard holding the most to flush.</summary>
    public long FlushThresholdBytes { get; }

    /// <summary>Held bytes a write may not take the shards past: it waits for a flush instead.</summary>
    public long MaxBytes { get; }

    /// <summary>Bytes the shards hold now (reserved by writes in progress, buffered, in memory parts).</summary>
    public long HeldBytes
    {
        get
        {
            lock (_gate)
            {
                return _held;
            }
        }
    }

    /// <summary>Open shards that share the budget.</summary>
    public int ShardCount
    {
        get
        {
            lock (_gate)
            {
                return _shards.Count;
            }
        }
    }

    // Read without the lock by writes deciding whether to ask for relief: a stale value only delays or repeats the ask.
    internal bool OverFlushThreshold => Volatile.Read(ref _held) >= FlushThresholdBytes;

    /// <summary>Takes <paramref name="bytes"/> unless that would cross <see cref="MaxBytes"/> while the shards hold anything.</summary>
    internal bool TryReserve(long bytes)
    {
        lock (_gate)
        {
            if (_held > 0 && _held + bytes > MaxBytes)
            {
                return false;
            }

            _held += bytes;
            return true;
        }
    }

    /// <summary>Takes <paramref name="bytes"/> whatever is held (a WAL replay: what was acknowledged must come back).</summary>
    internal void Charge(long bytes)
    {
        lock (_gate)
        {
            _held += bytes;
        }
    }

    /// <summary>Gives back <paramref name="bytes"/> and wakes the writes waiting for memory.</summary>
    internal void Release(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        TaskCompletionSource? change;
        lock (_gate)
        {
            _held -= bytes;
            change = _change;
            _change = null;
        }

        change?.TrySetResult();
    }

    /// <summary>A task that completes when memory is next given back.</summary>
    internal Task NextChange()
    {
        lock (_gate)
        {
            _change ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _change.Task;
        }
    }

    /// <summary>Counts an open shard among those a relief may flush.</summary>
    internal void Register(Shard shard)
    {
        lock (_gate)
        {
            _shards.Add(shard);
        }
    }

    /// <summary>Stops counting a shard that is closing (what it holds is given back when its part set closes).</summary>
    internal void Unregister(Shard shard)
    {
        lock (_gate)
        {
            _shards.Remove(shard);
        }
    }

    /// <summary>
    /// Asks the shard that holds the most to flush, unless the flush asked for last is still running (the shards'
    /// writes call this on every write past the threshold, so one flush at a time answers them all).
    /// </summary>
    internal void Relieve()
    {
        Shard[] shards;
        lock (_gate)
        {
            if (_relief is { IsCompleted: false } || _shards.Count == 0)
            {
                return;
            }

            shards = [.. _shards];
        }

        Shard? largest = null;
        long most = 0;
        foreach (Shard shard in shards)
        {
            long held = shard.MemoryBytes;
            if (held > most)
            {
                (largest, most) = (shard, held);
            }
        }

        if (largest is null)
        {
            return;
        }

        Task relief = largest.FlushForMemoryBudget();
        lock (_gate)
        {
            // Two writes may have picked at once; either flush relieves, the later one is followed.
            _relief = relief;
        }
    }
}
