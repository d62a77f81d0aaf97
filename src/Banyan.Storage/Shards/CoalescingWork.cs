namespace Banyan.Storage.Shards;

/// <summary>
/// One kind of background work of a shard (sealing buffered writes, flushing, merging) run on the
/// thread pool one pass at a time, never overlapping itself. A request while a pass runs joins it and
/// asks for one more pass, which the running task makes before it completes: so the task a request
/// returns completes after a pass that started after the request, and many requests (a timer, writes
/// over a threshold, a caller) cost one or two passes, not one each.
/// </summary>
/// <remarks>
/// The task's result is true when any of its passes did something. A failed pass fails the task unless a
/// request joined while it ran (that request is owed a pass that starts after it, so the loop makes
/// one and the task carries that pass's outcome); the next request after a failure starts afresh.
/// Nothing here blocks a thread: the gate is held for a few field writes, and callers await the task.
/// </remarks>
internal sealed class CoalescingWork
{
    private readonly object _gate = new();
    private readonly Func<bool, Task<bool>> _pass;
    private Task<bool>? _running;
    private bool _again;
    private bool _againForced;

    /// <summary>Creates the work; <paramref name="pass"/> does one pass (its argument: a forced pass was asked for) and says whether it did anything.</summary>
    public CoalescingWork(Func<bool, Task<bool>> pass)
    {
        _pass = pass;
    }

    /// <summary>The running task, or null when idle.</summary>
    public Task<bool>? Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>Starts a pass, or asks the running task for one more; returns the task that will have made it.</summary>
    /// <param name="forced">Whether the pass must be a forced one (a full merge).</param>
    public Task<bool> Request(bool forced = false)
    {
        lock (_gate)
        {
            if (_running is not null)
            {
                _again = true;
                _againForced |= forced;
                return _running;
            }

            _running = Task.Run(() => LoopAsync(forced));
            return _running;
        }
    }

    /// <summary>
    /// Starts a pass unless one is running (which then covers the need, or the next trigger starts
    /// another), for callers that do not wait: a threshold crossed by a write. A failure is observed
    /// here and left to the next request that waits.
    /// </summary>
    public void StartIfIdle()
    {
        Task<bool> task;
        lock (_gate)
        {
            if (_running is not null)
            {
                return;
            }

            task = _running = Task.Run(() => LoopAsync(forced: false));
        }

        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<bool> LoopAsync(bool forced)
    {
        bool any = false;
        while (true)
        {
            try
            {
                any |= await _pass(forced).ConfigureAwait(false);
            }
            catch
            {
                lock (_gate)
                {
                    // A request that joined while this pass ran asked for a pass that starts after it:
                    // the failure of an earlier pass is not its answer, so the loop makes that pass.
                    if (!_again)
                    {
                        _running = null;
                        _againForced = false;
                        throw;
                    }

                    _again = false;
                    forced = _againForced;
                    _againForced = false;
                }

                continue;
            }

            lock (_gate)
            {
                if (!_again)
                {
                    _running = null;
                    return any;
                }

                _again = false;
                forced = _againForced;
                _againForced = false;
            }
        }
    }
}
