namespace Banyan.GrainInterfaces.Shards;

/// <summary>
/// One engine shard of one segment of a group, on its owner silo's disk (key:
/// <see cref="ShardGrainKey"/>, <c>group/yyyyMMddHH/shard</c>). Placed only on the silo that owns the
/// shard: call it through <see cref="ShardGrainRouter"/>, which tells placement the owner.
/// </summary>
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>
    /// Writes the rows of one subject; completes once the write-ahead log's fsync covers them (acknowledged
    /// rows survive a crash of the silo). The first write fixes the shard's kind (measure or stream).
    /// </summary>
    /// <exception cref="ArgumentException">The subject is empty, the batch is of the other kind, or a column lacks values.</exception>
    /// <exception cref="Banyan.Storage.StorageFullException">The disk is full; nothing of the batch was acknowledged.</exception>
    Task Write([Immutable] ShardWrite write);

    /// <summary>
    /// The rows of <paramref name="subject"/> with <paramref name="minTimestamp"/> ≤ timestamp ≤ <paramref name="maxTimestamp"/>
    /// (nanoseconds since the Unix epoch), every column, at most <paramref name="maxRows"/> of them; sees every write
    /// acknowledged before the call. A shard never written answers no rows (and creates nothing).
    /// </summary>
    /// <exception cref="ArgumentException">The subject is empty, the range is empty or <paramref name="maxRows"/> is not positive.</exception>
    /// <exception cref="Schema.SchemaNotFoundException">The group has no stream or measure named <paramref name="subject"/>.</exception>
    Task<ShardRows> ReadRows(string subject, long minTimestamp, long maxTimestamp, int maxRows);

    /// <summary>
    /// The rows of one subject that <paramref name="query"/> selects (time range and criteria), with the columns it
    /// names, in (series id, timestamp) order, measure rows deduplicated by version; sees every write acknowledged
    /// before the call. A shard never written answers no rows (and creates nothing).
    /// </summary>
    /// <exception cref="Queries.QueryLimitException">More rows match than <see cref="Queries.ShardQuery.MaxRows"/>.</exception>
    /// <exception cref="Schema.SchemaNotFoundException">The group has no stream or measure named by the query.</exception>
    /// <exception cref="Schema.SchemaValidationException">The criteria name a tag the subject does not have.</exception>
    Task<ShardRows> Query([Immutable] Queries.ShardQuery query);

    /// <summary>
    /// The items of one TopN aggregation's ranked lists in this shard (<see cref="Queries.TopNShardQuery"/>): one per
    /// entity with its best value, best first, at most <c>TopN</c>; each item carries its window start as timestamp and
    /// the version of its list. Sees every write acknowledged before the call. A shard never written answers no items.
    /// </summary>
    /// <exception cref="Banyan.Storage.StorageCorruptionException">A persisted list is damaged.</exception>
    Task<global::Banyan.Api.Measure.V1.TopNList> QueryTopN([Immutable] Queries.TopNShardQuery query);

    /// <summary>Turns the memory parts into a disk part now (the flush timer does it periodically). False when there was nothing to flush.</summary>
    Task<bool> Flush();

    /// <summary>Merges disk parts the merge policy picks now (the merge timer does it periodically). False when nothing was worth merging.</summary>
    Task<bool> Merge();

    /// <summary>Counts of the shard's parts and rows, its bytes in memory and on disk, and the node hosting it.</summary>
    Task<ShardStats> GetStats();

    /// <summary>
    /// Deletes the shard: closes the engine shard, deletes its folder and its persisted state, and deactivates. The
    /// group grain calls it when the shard's segment expired or the group was deleted. A shard never written has
    /// nothing to delete; calling it twice is harmless.
    /// </summary>
    Task Drop();
}
