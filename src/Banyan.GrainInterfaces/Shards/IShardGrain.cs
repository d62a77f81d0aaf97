using Banyan.Storage.Rows;

namespace Banyan.GrainInterfaces.Shards;

/// <summary>
/// One engine shard of one segment of a group, on its owner silo's disk (key:
/// <see cref="ShardGrainKey"/>, <c>group/yyyyMMddHH/shard</c>). Placed only on the silo that owns the
/// shard: call it through <see cref="ShardGrainRouter"/>, which tells placement the owner.
/// </summary>
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>
    /// Writes the rows; completes once the write-ahead log's fsync covers them (acknowledged
    /// rows survive a crash of the silo). The first write fixes the shard's kind (measure or stream).
    /// </summary>
    /// <exception cref="ArgumentException">The batch is of the other kind, or a column lacks values.</exception>
    Task Write(WriteBatch batch);

    /// <summary>Turns the memory parts into a disk part now (the flush timer does it periodically). False when there was nothing to flush.</summary>
    Task<bool> Flush();

    /// <summary>Merges disk parts the merge policy picks now (the merge timer does it periodically). False when nothing was worth merging.</summary>
    Task<bool> Merge();

    /// <summary>Counts of the shard's parts and rows, and the node hosting it.</summary>
    Task<ShardStats> GetStats();
}
