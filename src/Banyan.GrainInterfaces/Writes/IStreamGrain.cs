namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// Writes of one stream (key <c>group/name</c>): a stateless worker on the calling silo that validates each element
/// against the silo's cached schema as BanyanDB does, computes series id, shard, segment and element id, and writes the
/// valid ones to their shard grains, one call per (segment, shard), in parallel.
/// </summary>
public interface IStreamGrain : IGrainWithStringKey
{
    /// <summary>
    /// Writes <paramref name="batch"/>; completes when every valid element is durable (or failed) with one status per
    /// element in batch order. The valid elements land even when others of the batch are refused.
    /// </summary>
    /// <exception cref="ArgumentException">The batch's metadata names another stream than the grain's key (a caller bug).</exception>
    Task<WriteOutcome> Write([Immutable] StreamWriteBatch batch);
}
