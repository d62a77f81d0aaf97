namespace Banyan.GrainInterfaces.Shards;

/// <summary>
/// A shard grain cannot be activated because the silo that owns the shard (whose disk holds its
/// data) is not an active member of the cluster. Retryable: the call succeeds once the owner is
/// back. An empty shard is never activated elsewhere instead, which would hide the data and split it.
/// </summary>
[GenerateSerializer]
[Alias("banyan.ShardUnavailableException")]
public sealed class ShardUnavailableException : Exception
{
    /// <summary>Creates the exception for <paramref name="shardKey"/> owned by <paramref name="owner"/>.</summary>
    public ShardUnavailableException(string shardKey, string owner)
        : base($"Shard '{shardKey}' is unavailable: its owner node '{owner}' is not an active silo. Retry once the node is back.")
    {
        ShardKey = shardKey;
        Owner = owner;
    }

    /// <summary>Creates the exception with a message only (serialization and tooling).</summary>
    public ShardUnavailableException(string message)
        : base(message)
    {
        ShardKey = string.Empty;
        Owner = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ShardUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        ShardKey = string.Empty;
        Owner = string.Empty;
    }

    /// <summary>Creates an empty exception (serialization).</summary>
    public ShardUnavailableException()
    {
        ShardKey = string.Empty;
        Owner = string.Empty;
    }

    /// <summary>The shard grain key (<see cref="ShardGrainKey"/>).</summary>
    [Id(0)]
    public string ShardKey { get; private set; }

    /// <summary>The node name of the owner that is not up.</summary>
    [Id(1)]
    public string Owner { get; private set; }
}
