using System.Collections.Concurrent;

namespace Banyan.Grains.Writes;

/// <summary>
/// Calls joined per key, as a group commit joins fsyncs: at most <see cref="CallsInFlight"/> calls per key are in flight;
/// the items that arrive meanwhile wait, and when a call returns, the next one carries every waiting item that fits
/// (<see cref="MaxSize"/>, and each must be joinable with those taken before it), in arrival order. An item that finds
/// its key with a call to spare goes at once, alone, so a lone caller waits for nothing; under load the calls grow with
/// the number of callers. Each item completes with its own result of the call that carried it, or with that call's
/// exception. The write path's coalescers are built on it: the measure and stream batches of a silo's write streams
/// (per subject) and the sub-batches its writes send to one shard grain (per shard and subject). A key's lane is
/// dropped when its last call returns with nothing waiting, so keys that are written no more (the shards of past
/// segments) hold no memory.
/// </summary>
/// <typeparam name="TKey">What calls are joined by.</typeparam>
/// <typeparam name="TItem">What a call carries one or more of.</typeparam>
/// <typeparam name="TResult">What each item gets back.</typeparam>
public sealed class JoinedCalls<TKey, TItem, TResult>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lane> _lanes = new();
    private readonly Func<TItem, int> _sizeOf;
    private readonly Func<IReadOnlyList<TItem>, TItem, bool> _joinable;

    /// <summary>Joined calls of at most <paramref name="maxSize"/> in all, <paramref name="callsInFlight"/> per key at once.</summary>
    /// <param name="maxSize">The most a joined call carries, in the units of <paramref name="sizeOf"/> (a single larger item still goes, alone).</param>
    /// <param name="callsInFlight">Calls per key in flight at once.</param>
    /// <param name="sizeOf">An item's size (rows, data points).</param>
    /// <param name="joinable">Whether an item may go in the call that carries the items already taken for it.</param>
    public JoinedCalls(int maxSize, int callsInFlight, Func<TItem, int> sizeOf, Func<IReadOnlyList<TItem>, TItem, bool> joinable)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callsInFlight);
        ArgumentNullException.ThrowIfNull(sizeOf);
        ArgumentNullException.ThrowIfNull(joinable);
        MaxSize = maxSize;
        CallsInFlight = callsInFlight;
        _sizeOf = sizeOf;
        _joinable = joinable;
    }

    /// <summary>The most a joined call carries.</summary>
    public int MaxSize { get; }

    /// <summary>Calls per key in flight at once.</summary>
    public int CallsInFlight { get; }

    /// <summary>Keys with a call in flight or items waiting: for tests.</summary>
    internal int LaneCount => _lanes.Count;

    /// <summary>
    /// Sends <paramref name="item"/> through <paramref name="call"/>: at once when its key has a call to spare (or when
    /// <paramref name="mayWait"/> is false), else in a later call with the items waiting beside it, made through the first
    /// waiting item's <paramref name="call"/>. Completes with the item's own result.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="item">The item; it must not change after this call.</param>
    /// <param name="call">Sends items in one call and returns one result per item, in their order.</param>
    /// <param name="mayWait">False for an item that cannot be joined: it goes at once, beside the calls in flight.</param>
    public Task<TResult> CallAsync(TKey key, TItem item, Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> call, bool mayWait = true)
    {
        ArgumentNullException.ThrowIfNull(call);
        while (true)
        {
            Lane lane = _lanes.GetOrAdd(key, static k => new Lane(k));
            lock (lane)
            {
                if (lane.Dropped)
                {
                    // Its last call returned between the lookup and the lock: the next lookup makes a new lane.
                    continue;
                }

                if (lane.InFlight >= CallsInFlight && mayWait)
                {
                    Waiter waiter = new(item, call);
                    lane.Waiting.Enqueue(waiter);
                    return waiter.Done.Task;
                }

                lane.InFlight++;
            }

            return CallOwnAsync(lane, item, call);
        }
    }

    // The caller's own call, awaited by the caller; afterwards the lane's waiting items (if any) go from the thread pool,
    // outside the caller's turn, so no caller's activation or stream carries other callers' calls.
    private async Task<TResult> CallOwnAsync(Lane lane, TItem item, Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> call)
    {
        try
        {
            IReadOnlyList<TResult> results = await call([item]);
            return results[0];
        }
        finally
        {
            CallNext(lane);
        }
    }

    private void CallNext(Lane lane)
    {
        List<Waiter> taken = [];
        List<TItem> items = [];
        lock (lane)
        {
            // Nothing waits, or the calls still in flight are as many as allowed (this one went beside them: an item that
            // may not wait): the slot is given back, and the waiting items go when one of those calls returns.
            if (lane.Waiting.Count == 0 || lane.InFlight > CallsInFlight)
            {
                lane.InFlight--;
                if (lane.InFlight == 0)
                {
                    // Idle: dropped, under its lock, so a caller that found it before this sees Dropped and looks again.
                    lane.Dropped = true;
                    _lanes.TryRemove(new KeyValuePair<TKey, Lane>(lane.Key, lane));
                }

                return;
            }

            // At least one waiter, taken whatever its size; more while they fit and join.
            Waiter first = lane.Waiting.Dequeue();
            taken.Add(first);
            items.Add(first.Item);
            int size = SizeOrMax(first.Item);
            while (lane.Waiting.TryPeek(out Waiter? next) && Joins(items, size, next.Item, out int nextSize))
            {
                taken.Add(lane.Waiting.Dequeue());
                items.Add(next.Item);
                size += nextSize;
            }
        }

        _ = Task.Run(() => CallTakenAsync(lane, taken, items));
    }

    // Whether `item` goes in the call beside `items` (of `size` in all). A size or join rule that throws is taken as "no":
    // the item then goes first in a later call, which takes it without asking, so no waiting item is ever left behind
    // and the lane keeps moving (the rules run under the lane's lock, where an exception would otherwise strand them).
    private bool Joins(List<TItem> items, int size, TItem item, out int itemSize)
    {
        itemSize = SizeOrMax(item);
        try
        {
            return (long)size + itemSize <= MaxSize && _joinable(items, item);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private int SizeOrMax(TItem item)
    {
        try
        {
            return _sizeOf(item);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return MaxSize;
        }
    }

    // `items` are the items of `taken`, in order.
    private async Task CallTakenAsync(Lane lane, List<Waiter> taken, List<TItem> items)
    {
        try
        {
            IReadOnlyList<TResult> results = await taken[0].Call(items);
            if (results.Count != items.Count)
            {
                throw new InvalidOperationException($"bug: a joined call of {items.Count} items returned {results.Count} results");
            }

            for (int i = 0; i < taken.Count; i++)
            {
                taken[i].Done.TrySetResult(results[i]);
            }
        }
        catch (Exception e)
        {
            foreach (Waiter waiter in taken)
            {
                waiter.Done.TrySetException(e);
            }
        }
        finally
        {
            CallNext(lane);
        }
    }

    /// <summary>An item waiting for its key: how to send it, and its completion.</summary>
    private sealed class Waiter(TItem item, Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> call)
    {
        public TItem Item { get; } = item;

        public Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> Call { get; } = call;

        // Completed from the thread pool: the waiting caller's continuation runs on its own, never inline here.
        public TaskCompletionSource<TResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // One key: its calls in flight and the items waiting for one. Locked on itself.
    private sealed class Lane(TKey key)
    {
        public TKey Key { get; } = key;

        public int InFlight { get; set; }

        // Set once, when the lane leaves the dictionary; a dropped lane takes no more items.
        public bool Dropped { get; set; }

        public Queue<Waiter> Waiting { get; } = new();
    }
}
