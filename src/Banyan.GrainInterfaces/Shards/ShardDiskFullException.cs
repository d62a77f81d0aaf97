namespace Banyan.GrainInterfaces.Shards;

/// <summary>
/// A shard could not log a write because its disk is full (the engine's <c>StorageFullException</c>, which names the
/// file). Nothing of the batch was acknowledged; the write can be retried once space is freed. Write status:
/// <c>STATUS_DISK_FULL</c>.
/// </summary>
[GenerateSerializer]
[Alias("banyan.ShardDiskFullException")]
public sealed class ShardDiskFullException : Exception
{
    /// <summary>Creates the exception with a message naming the shard and the file.</summary>
    public ShardDiskFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ShardDiskFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception (serialization).</summary>
    public ShardDiskFullException()
    {
    }
}
