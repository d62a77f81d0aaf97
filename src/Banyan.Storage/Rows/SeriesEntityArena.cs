using Banyan.Storage.Values;

namespace Banyan.Storage.Rows;

/// <summary>
/// One array holding the entity bytes of many series (<see cref="SeriesEntityBytes"/>), for a WAL replay: the columns a
/// record's left-out tags are restored into point at it instead of copying a series' tags into every row, as the write
/// planner's sub-batches point at its series cache. It grows by doubling into a new array with the same bytes at the same
/// offsets, so every series added so far lies in the newest array; an older array is never changed again, and the
/// columns pointing into it keep it. Not thread-safe.
/// </summary>
public sealed class SeriesEntityArena
{
    private const int FirstBytes = 4096;
    private int _used;

    /// <summary>The newest array (see the class remarks).</summary>
    public byte[] Bytes { get; private set; } = [];

    /// <summary>Encodes <paramref name="entity"/> into the arena.</summary>
    public SeriesEntityBytes Add(IReadOnlyList<TagValue> entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        int needed = SeriesEntityBytes.Measure(entity);
        if (Bytes.Length - _used < needed)
        {
            byte[] grown = new byte[Math.Max(Math.Max(FirstBytes, Bytes.Length * 2), _used + needed)];
            Bytes.AsSpan(0, _used).CopyTo(grown);
            Bytes = grown;
        }

        SeriesEntityBytes added = SeriesEntityBytes.Create(this, Bytes, _used, entity);
        _used += needed;
        return added;
    }
}
