namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// Writes of one measure (key <c>group/name</c>): a stateless worker on the calling silo that validates each element
/// against the silo's cached schema as BanyanDB does, computes series id, shard and segment, and writes the valid ones
/// to their shard grains, one call per (segment, shard), in parallel.
/// </summary>
public interface IMeasureGrain : IGrainWithStringKey
{
    /// <summary>
    /// Writes <paramref name="batch"/>; completes when every valid element is durable (or failed) with one status per
    /// element in batch order. The valid elements land even when others of the batch are refused.
    /// </summary>
    /// <exception cref="ArgumentException">The batch's metadata names another measure than the grain's key (a caller bug).</exception>
    Task<WriteOutcome> Write([Immutable] MeasureWriteBatch batch);

    /// <summary>
    /// Runs a measure query (BanyanDB's <c>MeasureService/Query</c>): every group the request names, the segments
    /// overlapping its time range (expired ones never), every shard holding data there, merged into one answer. Called on
    /// the grain keyed <c>groups[0]/name</c>.
    /// </summary>
    /// <exception cref="Schema.SchemaNotFoundException">A group, or the measure in a group, does not exist.</exception>
    /// <exception cref="Schema.SchemaValidationException">The request is malformed or names a tag, field or index rule the measure lacks (the message names the field).</exception>
    /// <exception cref="Shards.ShardUnavailableException">A shard holding data in the range cannot be reached (retryable).</exception>
    /// <exception cref="Queries.QueryLimitException">The query would read more rows than the silo allows.</exception>
    /// <remarks>
    /// The answer comes wrapped in <see cref="global::Orleans.Concurrency.Immutable{T}"/>: it is built for this call and
    /// never touched again, so a caller on the same silo (the gRPC and HTTP services) takes it without Orleans' defensive
    /// deep copy of every data point.
    /// </remarks>
    Task<global::Orleans.Concurrency.Immutable<global::Banyan.Api.Measure.V1.QueryResponse>> Query([Immutable] global::Banyan.Api.Measure.V1.QueryRequest request);

    /// <summary>
    /// Runs a TopN query (BanyanDB's <c>MeasureService/TopN</c>) over the ranked lists the TopN aggregation named by the
    /// request keeps in every group the request names: every shard of each aggregation's source measure holding windows in
    /// the time range, merged into one list (one item per entity with its best value in the requested order, the best
    /// <c>top_n</c>), then <c>agg</c> applied to each item. Can be called on any measure grain (a stateless worker).
    /// </summary>
    /// <exception cref="Schema.SchemaNotFoundException">A group, or the TopN aggregation in a group, does not exist.</exception>
    /// <exception cref="Schema.SchemaValidationException">The request is malformed (the message names the field).</exception>
    /// <exception cref="Shards.ShardUnavailableException">A shard holding data in the range cannot be reached (retryable).</exception>
    Task<Banyan.Api.Measure.V1.TopNResponse> TopN([Immutable] Banyan.Api.Measure.V1.TopNRequest request);
}
