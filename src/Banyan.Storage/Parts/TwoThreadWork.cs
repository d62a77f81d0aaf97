using System.Runtime.ExceptionServices;

namespace Banyan.Storage.Parts;

/// <summary>Work cut into numbered items that may run on two threads at once (see <see cref="TwoThreadWork"/>).</summary>
internal interface ITwoThreadWork
{
    /// <summary>
    /// Does item <paramref name="item"/>. <paramref name="onHelper"/> tells which of the two threads runs it, so each can
    /// use scratch memory of its own; items of one thread never run at once.
    /// </summary>
    void Run(int item, bool onHelper);
}

/// <summary>
/// One run of items 0..count-1 of an <see cref="ITwoThreadWork"/> on the calling thread and one thread-pool thread, each
/// taking the next item not taken. <see cref="Start"/> hands the items to the pool thread and returns, so the caller can
/// do other work meanwhile; <see cref="Finish"/> takes what is left on the calling thread and returns when every item is
/// done. The pool thread only helps: one the pool has not started by the time the caller has taken the last item is
/// withdrawn instead of waited for, so the caller never blocks on a busy pool (on a loaded silo that wait could last
/// until the pool injects a thread, with all the work already done).
/// </summary>
internal sealed class TwoThreadWork
{
    private const int NotStarted = 0;
    private const int Started = 1;
    private const int Withdrawn = 2;
    private readonly ITwoThreadWork _work;
    private readonly int _count;
    private Task? _helper;
    private int _state;
    private int _taken = -1;

    private TwoThreadWork(ITwoThreadWork work, int count)
    {
        _work = work;
        _count = count;
    }

    /// <summary>Hands the items of <paramref name="work"/> to a pool thread (when there are two or more) and returns.</summary>
    public static TwoThreadWork Start(ITwoThreadWork work, int count)
    {
        ArgumentNullException.ThrowIfNull(work);
        var run = new TwoThreadWork(work, count);
        if (count > 1)
        {
            run._helper = Task.Factory.StartNew(static state => ((TwoThreadWork)state!).RunAsHelper(), run, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        }

        return run;
    }

    /// <summary>Runs every item of <paramref name="work"/> on this thread and a pool thread; returns when all are done.</summary>
    public static void Run(ITwoThreadWork work, int count) => Start(work, count).Finish();

    /// <summary>
    /// Takes the items not taken yet on this thread, then waits for the pool thread's item if it is running one. The first
    /// failure of either thread is rethrown once both stopped.
    /// </summary>
    public void Finish()
    {
        ExceptionDispatchInfo? failure = null;
        try
        {
            Take(onHelper: false);
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
            StopTaking();
        }

        try
        {
            WaitForHelper();
        }
        catch (AggregateException e)
        {
            failure ??= ExceptionDispatchInfo.Capture(e.InnerException ?? e);
        }

        failure?.Throw();
    }

    /// <summary>
    /// Gives the run up (its owner failed and throws the memory away): no item is taken any more, and a pool thread
    /// still running one is waited for, so it no longer touches that memory. Its failure, if any, is dropped.
    /// </summary>
    public void Abandon()
    {
        StopTaking();
        try
        {
            WaitForHelper();
        }
        catch (AggregateException)
        {
            // The owner is failing already; the helper's error adds nothing.
        }
    }

    private void RunAsHelper()
    {
        if (Interlocked.CompareExchange(ref _state, Started, NotStarted) == NotStarted)
        {
            Take(onHelper: true);
        }
    }

    private void Take(bool onHelper)
    {
        int item;
        while ((item = Interlocked.Increment(ref _taken)) < _count)
        {
            _work.Run(item, onHelper);
        }
    }

    private void StopTaking() => Interlocked.Exchange(ref _taken, _count);

    // The helper may be using memory the caller reads next: a started helper is waited for, an unstarted one withdrawn
    // (it will find the run withdrawn and do nothing).
    private void WaitForHelper()
    {
        if (_helper is not null && Interlocked.CompareExchange(ref _state, Withdrawn, NotStarted) != NotStarted)
        {
            _helper.Wait();
        }
    }
}
