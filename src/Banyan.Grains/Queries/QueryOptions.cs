namespace Banyan.Grains.Queries;

/// <summary>Limits of the query path (configuration section <c>Silo:Query</c>).</summary>
public sealed class QueryOptions
{
    /// <summary>
    /// Most rows one shard may return for one query (after its time range and criteria); a query that would read more
    /// fails with <c>RESOURCE_EXHAUSTED</c> naming the shard, rather than exhausting the silo's memory. Default 2,000,000.
    /// </summary>
    public int MaxRowsPerShard { get; set; } = 2_000_000;

    /// <summary>
    /// Whether a query reads the shards open on its own silo directly rather than through their grains
    /// (<see cref="Shards.LocalShards"/>): the same answer without Orleans' messaging per shard. Default true; false
    /// sends every shard read through its grain (for comparisons).
    /// </summary>
    public bool LocalShardReads { get; set; } = true;
}
