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

    /// <summary>
    /// Runs a stream query (BanyanDB's <c>StreamService/Query</c>): every group the request names, the segments
    /// overlapping its time range (expired ones never), every shard holding data there, merged into one answer. Called on
    /// the grain keyed <c>groups[0]/name</c>.
    /// </summary>
    /// <exception cref="Schema.SchemaNotFoundException">A group, or the stream in a group, does not exist.</exception>
    /// <exception cref="Schema.SchemaValidationException">The request is malformed or names a tag or index rule the stream lacks (the message names the field).</exception>
    /// <exception cref="Shards.ShardUnavailableException">A shard holding data in the range cannot be reached (retryable).</exception>
    /// <exception cref="Queries.QueryLimitException">The query would read more rows than the silo allows.</exception>
    /// <remarks>
    /// The answer comes wrapped in <see cref="global::Orleans.Concurrency.Immutable{T}"/>: it is built for this call and
    /// never touched again, so a caller on the same silo (the gRPC and HTTP services) takes it without Orleans' defensive
    /// deep copy of every element.
    /// </remarks>
    Task<global::Orleans.Concurrency.Immutable<global::Banyan.Api.Stream.V1.QueryResponse>> Query([Immutable] global::Banyan.Api.Stream.V1.QueryRequest request);
}
