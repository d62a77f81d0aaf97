namespace Banyan.Grains.Shards;

/// <summary>
/// An open shard of a shard grain active on this silo, as the silo's query path reads it without a grain call
/// (<see cref="LocalShards"/>). Counts the reads in progress so the grain closes the engine shard only after the last
/// one left: a read either enters before <see cref="CloseAsync"/> and is waited for, or is refused and goes through the
/// grain call.
/// </summary>
internal sealed class LocalShard(ShardReader reader)
{
    private readonly Lock _gate = new();
    private int _readers;
    private bool _closing;
    private TaskCompletionSource? _drained;

    /// <summary>The shard's query logic.</summary>
    public ShardReader Reader => reader;

    /// <summary>Reads in progress (for tests and diagnostics).</summary>
    public int Readers
    {
        get
        {
            lock (_gate)
            {
                return _readers;
            }
        }
    }

    /// <summary>
    /// Enters a read; false once the shard is closing (the caller calls the grain instead). Every true is matched by one
    /// <see cref="Exit"/>.
    /// </summary>
    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_closing)
            {
                return false;
            }

            _readers++;
            return true;
        }
    }

    /// <summary>Leaves a read entered by <see cref="TryEnter"/>.</summary>
    public void Exit()
    {
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            if (--_readers == 0 && _closing)
            {
                drained = _drained;
            }
        }

        drained?.TrySetResult();
    }

    /// <summary>
    /// Refuses new reads and completes once the reads in progress have left; the owner disposes the engine shard after.
    /// </summary>
    public Task CloseAsync()
    {
        lock (_gate)
        {
            _closing = true;
            if (_readers == 0)
            {
                return Task.CompletedTask;
            }

            // The last reader completes it outside the lock; its continuation (the grain's close) must not run on that
            // reader's thread inside its query.
            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> as a read entered by <see cref="TryEnter"/> (the caller entered it) and leaves it when
    /// the read completes, however it ends.
    /// </summary>
    public async Task<TResult> ReadEnteredAsync<TResult>(Func<ShardReader, Task<TResult>> read)
    {
        try
        {
            return await read(reader);
        }
        finally
        {
            Exit();
        }
    }
}
