namespace Banyan.Grains.TopN;

/// <summary>
/// One persisted ranked list read back from a shard, still encoded (<see cref="TopNResultCodec"/>): a query walks the
/// latest version of each list (<see cref="TopNListReader"/>), seeding decodes it (<see cref="Decode"/>); older
/// versions are never decoded.
/// </summary>
/// <param name="Group">The aggregation's group.</param>
/// <param name="Name">The aggregation's name.</param>
/// <param name="Descending">True for the <c>SORT_DESC</c> list, false for <c>SORT_ASC</c>.</param>
/// <param name="WindowStart">The window's start, ns since the Unix epoch.</param>
/// <param name="GroupKey">The group-by value.</param>
/// <param name="Bytes">The encoded list (a copy: the shard's block buffers are not kept).</param>
/// <param name="Where">The row, as decoding errors name it.</param>
/// <param name="Version">The row's version (the flush that wrote it; a later flush of the same list has a higher one).</param>
internal sealed record TopNStoredList(string Group, string Name, bool Descending, long WindowStart, string GroupKey, byte[] Bytes, string Where, long Version)
{
    /// <summary>
    /// The items as entity ids and values, set once by <see cref="TopNListCache.Add"/> before the list is shared (null for
    /// a list the cache does not keep): the merge takes them instead of walking <see cref="Bytes"/>.
    /// </summary>
    public TopNInternedList? Interned { get; internal set; }

    /// <summary>The list's items (their series ids derived from <paramref name="sourceSubject"/>, see <see cref="TopNResultCodec.Decode"/>).</summary>
    /// <exception cref="Banyan.Storage.StorageCorruptionException">The bytes are damaged.</exception>
    public TopNSnapshot Decode(string sourceSubject) => new(WindowStart, GroupKey, TopNResultCodec.Decode(Bytes, Where, sourceSubject).Items);
}
