namespace Banyan.Grains.Queries;

/// <summary>Limits of the query path (configuration section <c>Silo:Query</c>).</summary>
public sealed class QueryOptions
{
    /// <summary>
    /// Most rows one shard may return for one query (after its time range and criteria); a query that would read more
    /// fails with <c>RESOURCE_EXHAUSTED</c> naming the shard, rather than exhausting the silo's memory. Default 2,000,000.
    /// </summary>
    public int MaxRowsPerShard { get; set; } = 2_000_000;
}
