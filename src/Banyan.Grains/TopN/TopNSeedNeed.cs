namespace Banyan.Grains.TopN;

/// <summary>
/// Which TopN windows opened by a shard grain's activation must first read what was persisted of them. A window can
/// have stored lists only when an earlier activation flushed it (then it starts at or before the latest stored window
/// start, learned once per activation, <see cref="StoredUpTo"/>) or when this activation opened it before (it may have
/// been flushed and evicted since, or held by a processor of an older schema revision). Every other window, which is
/// every new window of a steady ingest, starts empty without a read.
/// </summary>
/// <remarks>Single-threaded: the shard grain's turns call it.</remarks>
internal sealed class TopNSeedNeed
{
    // Every window this activation opened, by aggregation (not revision: a newer revision continues the lists of an
    // older one) and direction. One entry per window the activation saw: a few thousand a day at one-minute windows.
    private readonly HashSet<(string Group, string Name, bool Descending, long Start)> _opened = [];
    private long? _storedUpTo;

    /// <summary>
    /// Records that a window opens and tells whether it must read its stored lists: true or false, or null while the
    /// latest stored window start is not known yet (the caller learns it, then asks <see cref="IsStored"/>).
    /// </summary>
    public bool? MustRead(string group, string name, bool descending, long windowStart)
    {
        if (!_opened.Add((group, name, descending, windowStart)))
        {
            return true;
        }

        return _storedUpTo is { } upTo ? windowStart <= upTo : null;
    }

    /// <summary>Sets the latest window start stored before this activation wrote any (<see cref="long.MaxValue"/>: unknown, every window reads).</summary>
    public void StoredUpTo(long latestWindowStart) => _storedUpTo = latestWindowStart;

    /// <summary>True when a window starting at <paramref name="windowStart"/> may have lists stored by an earlier activation.</summary>
    public bool IsStored(long windowStart) => _storedUpTo is not { } upTo || windowStart <= upTo;
}
