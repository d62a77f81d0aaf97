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

    /// <summary>
    /// How long a query whose <c>group_mod_revisions</c> name a schema revision newer than this silo's cache waits, all
    /// its groups together, for the change to arrive before those groups answer <c>STATUS_SCHEMA_NOT_APPLIED</c>
    /// (<see cref="QueryRevisionGate"/>). Default 2 s, as <c>Silo:Write:SchemaApplyWait</c>; 0 answers at once.
    /// </summary>
    public TimeSpan SchemaApplyWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxRowsPerShard < 1)
        {
            throw new ArgumentException($"Silo:Query:MaxRowsPerShard is {MaxRowsPerShard}; it must be 1 or more.");
        }

        if (SchemaApplyWait < TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Query:SchemaApplyWait is {SchemaApplyWait}; it must not be negative.");
        }
    }
}
