namespace Banyan.GrainInterfaces.Groups;

/// <summary>
/// One group (key: the group name). Owns which silo holds which shard of the group: the
/// assignment is persisted and never moves by itself (a shard's data lives on its owner's disk).
/// </summary>
public interface IGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// The owners of shards <c>0 .. <paramref name="shardNum"/> - 1</c>. Shards not yet assigned are
    /// assigned across the silos that are up now (fewest shards first, ties broken by node name),
    /// persisted, then returned; shards already assigned keep their owner whether it is up or not.
    /// </summary>
    /// <param name="shardNum">The group's shard count, 1 to <see cref="ShardOwners.MaxShards"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shardNum"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">No silo is up to take a new shard.</exception>
    Task<ShardOwners> GetShardOwners(int shardNum);
}
