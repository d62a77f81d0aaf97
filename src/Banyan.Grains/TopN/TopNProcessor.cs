namespace Banyan.Grains.TopN;

/// <summary>
/// The streaming pre-aggregation of one TopN aggregation in one sort direction on one shard: tumbling windows of the
/// source measure's <c>interval</c>, each with one ranked list per group-by value (<see cref="TopNWindow"/>), at most
/// <c>lru_size</c> of them open, as BanyanDB's <c>tumblingTimeWindows</c> with <c>AllowedMaxWindows</c>
/// (<c>pkg/flow/streaming/sliding_window.go</c>):
/// <list type="bullet">
/// <item>a point goes to the window holding its timestamp (event time, not arrival time);</item>
/// <item>a point of a window that is not open, that ended at or before the latest timestamp seen (the watermark) while
/// <c>lru_size</c> windows are open, is late and dropped (<see cref="DroppedLate"/>), as BanyanDB drops it;</item>
/// <item>opening a window beyond <c>lru_size</c> evicts the least recently used one; an evicted window with lists not
/// yet persisted stays until the next flush has written them.</item>
/// </list>
/// Single-threaded: the shard grain's turns call it.
/// </summary>
internal sealed class TopNProcessor
{
    // Windows opened last that raise the list sizes before the first flush has seen every window (see ListHighWater).
    private const int SizingWindows = 4;

    private readonly Dictionary<long, TopNWindow> _windows = [];
    private readonly Queue<TopNWindow> _recentlyOpened = new(SizingWindows);

    // Per group-by value of the windows held, the most items its list held in a window: the room a new window's list
    // starts with (windows of one aggregation see about the same series). Read by the windows as they make a list.
    private readonly Dictionary<string, int> _listHighWater = new(StringComparer.Ordinal);

    // Scratch of TakeDirty: the list sizes of the windows held now (reused, so a flush allocates nothing for it).
    private readonly Dictionary<string, int> _heldSizes = new(StringComparer.Ordinal);
    private TopNWindow? _lastUsed; // null whenever a window is removed
    private long _watermark = long.MinValue;
    private long _uses;

    /// <summary>A processor with no window open.</summary>
    public TopNProcessor(TopNDefinition definition, bool descending)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Definition = definition;
        Descending = descending;
    }

    /// <summary>The aggregation.</summary>
    public TopNDefinition Definition { get; }

    /// <summary>True ranks the highest values (<c>SORT_DESC</c>), false the lowest (<c>SORT_ASC</c>).</summary>
    public bool Descending { get; }

    /// <summary>Points dropped because their window was late (see the class remarks).</summary>
    public long DroppedLate { get; private set; }

    /// <summary>The windows held now (open ones and evicted ones waiting for their flush).</summary>
    public IReadOnlyCollection<TopNWindow> Windows => _windows.Values;

    /// <summary>True when the processor was retired (its aggregation changed or was deleted): it only flushes what it holds, then goes.</summary>
    public bool Retired { get; private set; }

    /// <summary>
    /// Takes one point. Returns the window when the point opened one that must be seeded
    /// (<paramref name="seedNewWindows"/>: the caller reads what was persisted of it and calls <see cref="TopNWindow.Seed"/>).
    /// </summary>
    public TopNWindow? Put(in TopNPoint point, bool seedNewWindows)
    {
        long start = Definition.WindowStart(point.Timestamp);
        TopNWindow? opened = null;

        // The points of a batch mostly fall in one window: the last one used is found without a lookup.
        TopNWindow? window = _lastUsed;
        if ((window is null || window.Start != start) && !_windows.TryGetValue(start, out window))
        {
            if (start + Definition.IntervalNanos - 1 <= _watermark && OpenCount() >= Definition.LruSize)
            {
                DroppedLate++;
                return null;
            }

            window = new TopNWindow(start, Definition.CountersNumber, Descending, seedNewWindows, ListHighWater());
            _windows[start] = window;
            if (_recentlyOpened.Count == SizingWindows)
            {
                _recentlyOpened.Dequeue();
            }

            _recentlyOpened.Enqueue(window);
            opened = window;
        }

        _lastUsed = window;
        window.LastUse = ++_uses;
        window.Evicting = Retired;
        window.Put(point);
        if (point.Timestamp > _watermark)
        {
            _watermark = point.Timestamp;
        }

        if (opened is not null)
        {
            EvictBeyondLimit(opened);
        }

        return seedNewWindows ? opened : null;
    }

    // The sizes a new window's lists start with, group-by value by value: the most each value's list held in a window so
    // far. Not the last window's: writers a little behind in time still fill the window opened last when a writer ahead
    // opens the next, and a list sized too small doubles its way up, every array and its map again (7 % of a silo's
    // allocation in the peer load's write phase). Raised here from the windows opened last, and at every flush from all
    // (TakeDirty), which also forgets the values no window holds any more, so the record stays as large as the windows'
    // own lists; never past the lists' capacity, as each list takes at most that. (Sizes, not windows: a window holding
    // the ones before would keep them alive.)
    private Dictionary<string, int> ListHighWater()
    {
        foreach (TopNWindow window in _recentlyOpened)
        {
            window.RaiseListSizes(_listHighWater);
        }

        return _listHighWater;
    }

    /// <summary>
    /// The lists changed since the last flush (windows being seeded wait), encoded for their rows (entities put in order
    /// by <paramref name="order"/>'s ranks when given, <see cref="TopNSeriesTags.Order"/>), marked clean.
    /// </summary>
    public List<TopNEncodedList> TakeDirty(TopNEntityOrder? order = null)
    {
        List<TopNEncodedList> dirty = [];
        foreach (TopNWindow window in _windows.Values)
        {
            window.RaiseListSizes(_heldSizes);
            if (!window.IsSeeding)
            {
                dirty.AddRange(window.TakeDirty(Definition.IsFloat, order));
            }
        }

        KeepHighWaterOf(_heldSizes);
        _heldSizes.Clear();
        return dirty;
    }

    // The record keeps the group-by values of the windows held (held: their sizes now), each at the most it has seen.
    private void KeepHighWaterOf(Dictionary<string, int> held)
    {
        List<string>? gone = null;
        foreach (string group in _listHighWater.Keys)
        {
            if (!held.ContainsKey(group))
            {
                (gone ??= []).Add(group);
            }
        }

        foreach (string group in gone ?? [])
        {
            _listHighWater.Remove(group);
        }

        foreach ((string group, int size) in held)
        {
            if (!_listHighWater.TryGetValue(group, out int most) || most < size)
            {
                _listHighWater[group] = size;
            }
        }
    }

    /// <summary>Marks the lists of a failed flush as not persisted again, so the next flush retries them.</summary>
    public void FlushFailed(IEnumerable<TopNEncodedList> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        foreach (TopNEncodedList list in lists)
        {
            if (_windows.TryGetValue(list.WindowStart, out TopNWindow? window))
            {
                window.MarkDirty(list.GroupKey);
            }
        }
    }

    /// <summary>After a successful flush: evicted windows whose lists are all persisted go.</summary>
    public void FlushSucceeded()
    {
        List<long>? gone = null;
        foreach ((long start, TopNWindow window) in _windows)
        {
            if (window.Evicting && !window.IsSeeding && !window.Dirty)
            {
                (gone ??= []).Add(start);
            }
        }

        foreach (long start in gone ?? [])
        {
            _windows.Remove(start);
        }

        _lastUsed = null;
    }

    /// <summary>Retires the processor: every window is evicted (kept until flushed).</summary>
    public void Retire()
    {
        Retired = true;
        foreach (TopNWindow window in _windows.Values)
        {
            window.Evicting = true;
        }

        FlushSucceeded();
    }

    /// <summary>The lists of the windows starting in [<paramref name="min"/>, <paramref name="max"/>], of one group-by value or all (null).</summary>
    public IEnumerable<TopNSnapshot> Snapshots(long min, long max, string? groupKey)
    {
        foreach (TopNWindow window in _windows.Values)
        {
            if (window.Start < min || window.Start > max)
            {
                continue;
            }

            foreach (TopNSnapshot list in window.Snapshots())
            {
                if (groupKey is null || string.Equals(groupKey, list.GroupKey, StringComparison.Ordinal))
                {
                    yield return list;
                }
            }
        }
    }

    private int OpenCount()
    {
        int open = 0;
        foreach (TopNWindow window in _windows.Values)
        {
            open += window.Evicting ? 0 : 1;
        }

        return open;
    }

    // Beyond lru_size open windows, the least recently used ones (never the one just opened, nor one being seeded:
    // its persisted lists are not in yet) leave: at once when clean, after the next flush otherwise.
    private void EvictBeyondLimit(TopNWindow opened)
    {
        while (OpenCount() > Definition.LruSize)
        {
            TopNWindow? victim = null;
            foreach (TopNWindow window in _windows.Values)
            {
                if (window != opened && !window.Evicting && !window.IsSeeding && (victim is null || window.LastUse < victim.LastUse))
                {
                    victim = window;
                }
            }

            if (victim is null)
            {
                return;
            }

            if (victim.Dirty)
            {
                victim.Evicting = true;
            }
            else
            {
                _windows.Remove(victim.Start);
                _lastUsed = null;
            }
        }
    }
}
