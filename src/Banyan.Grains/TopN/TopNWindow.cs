namespace Banyan.Grains.TopN;

/// <summary>
/// One open tumbling window of a processor: <c>[Start, Start + interval)</c>, one <see cref="TopNCounters"/> per
/// group-by value. A window opened after the shard grain (re)activated first waits for what earlier activations
/// persisted of it (<see cref="IsSeeding"/>): points arriving meanwhile queue in order and are applied after the
/// persisted lists, so the window continues exactly where the last flush left it. The list of a group-by value starts
/// with room for as many items as <paramref name="expectedSizes"/> gives it when the list is made (the processor's
/// record of the most its list held in a window: a list grows to about the same size window after window; each value
/// its own, so a small group's list is not sized for the largest).
/// </summary>
internal sealed class TopNWindow(long start, int capacity, bool descending, bool seeding, IReadOnlyDictionary<string, int>? expectedSizes = null)
{
    private readonly Dictionary<string, TopNCounters> _groups = new(StringComparer.Ordinal);
    private List<TopNPoint>? _pending = seeding ? [] : null;
    private string? _lastGroupKey;
    private TopNCounters? _lastCounters;

    /// <summary>Start of the window, ns since the Unix epoch.</summary>
    public long Start { get; } = start;

    /// <summary>True while the persisted state of the window is being read.</summary>
    public bool IsSeeding => _pending is not null;

    /// <summary>When the window was last used (the processor's use counter), for LRU eviction.</summary>
    public long LastUse { get; set; }

    /// <summary>
    /// True when the window left the processor's <c>lru_size</c> open windows while it held lists not yet persisted: it
    /// stays (and answers queries) until the next flush has written them, then goes.
    /// </summary>
    public bool Evicting { get; set; }

    /// <summary>The group-by values with a list.</summary>
    public IReadOnlyDictionary<string, TopNCounters> Groups => _groups;

    /// <summary>Raises each group-by value's entry of <paramref name="sizes"/> to the number of items of its list here.</summary>
    public void RaiseListSizes(Dictionary<string, int> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        foreach ((string group, TopNCounters counters) in _groups)
        {
            if (!sizes.TryGetValue(group, out int size) || size < counters.Count)
            {
                sizes[group] = counters.Count;
            }
        }
    }

    /// <summary>True when a list changed since it was last persisted.</summary>
    public bool Dirty
    {
        get
        {
            foreach (TopNCounters counters in _groups.Values)
            {
                if (counters.Dirty)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Takes a point (queued while seeding).</summary>
    public void Put(in TopNPoint point)
    {
        if (_pending is not null)
        {
            _pending.Add(point);
            return;
        }

        CountersOf(point.GroupKey).Put(point.SeriesId, point.Value, point.Entity, point.EntityBytes, point.Ordinal);
    }

    /// <summary>
    /// Ends seeding: the persisted lists (<paramref name="persisted"/>, one per group-by value) first, clean (they are
    /// on disk already), then the points that arrived meanwhile.
    /// </summary>
    public void Seed(IEnumerable<TopNSnapshot> persisted)
    {
        ArgumentNullException.ThrowIfNull(persisted);
        List<TopNPoint> pending = _pending ?? [];
        _pending = null;
        foreach (TopNSnapshot list in persisted)
        {
            TopNCounters counters = CountersOf(list.GroupKey);
            foreach (TopNItem item in list.Items)
            {
                counters.Put(item);
            }

            counters.MarkClean();
        }

        foreach (TopNPoint point in pending)
        {
            CountersOf(point.GroupKey).Put(point.SeriesId, point.Value, point.Entity, point.EntityBytes, point.Ordinal);
        }
    }

    /// <summary>
    /// The lists changed since the last flush, encoded (values of one type: <paramref name="isFloat"/>; entities put in
    /// order by <paramref name="order"/>'s ranks when given), marked clean; <see cref="MarkDirty"/> undoes it for a failed flush.
    /// </summary>
    public List<TopNEncodedList> TakeDirty(bool isFloat, TopNEntityOrder? order = null)
    {
        List<TopNEncodedList> dirty = [];
        foreach ((string group, TopNCounters counters) in _groups)
        {
            if (counters.Dirty)
            {
                dirty.Add(new TopNEncodedList(Start, group, TopNResultCodec.Encode(counters.RankSlots(), isFloat, order)));
                counters.MarkClean();
            }
        }

        return dirty;
    }

    /// <summary>Marks the list of <paramref name="groupKey"/> as not persisted.</summary>
    public void MarkDirty(string groupKey)
    {
        if (_groups.TryGetValue(groupKey, out TopNCounters? counters))
        {
            counters.MarkDirty();
        }
    }

    /// <summary>Every list of the window as it is now (nothing while seeding: the window is not complete yet).</summary>
    public IEnumerable<TopNSnapshot> Snapshots()
    {
        if (IsSeeding)
        {
            yield break;
        }

        foreach ((string group, TopNCounters counters) in _groups)
        {
            yield return new TopNSnapshot(Start, group, counters.Ranked());
        }
    }

    private TopNCounters CountersOf(string groupKey)
    {
        // The points of a batch mostly share their group-by value, as the same string (the series tags' own): the list of
        // the last one is found without hashing the key again. Lists are never removed from a window.
        if (ReferenceEquals(groupKey, _lastGroupKey))
        {
            return _lastCounters!;
        }

        if (!_groups.TryGetValue(groupKey, out TopNCounters? counters))
        {
            int expected = expectedSizes is not null && expectedSizes.TryGetValue(groupKey, out int size) ? size : 0;
            counters = new TopNCounters(capacity, descending, expected);
            _groups[groupKey] = counters;
        }

        _lastGroupKey = groupKey;
        _lastCounters = counters;
        return counters;
    }
}
