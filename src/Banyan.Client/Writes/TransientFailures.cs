using Banyan.GrainInterfaces.Shards;
using Banyan.GrainInterfaces.Writes;
using Orleans.Runtime.Messaging;

namespace Banyan.Client.Writes;

/// <summary>
/// Which failures of a write are worth another attempt: those that say nothing about the points (the cluster could not
/// take them just now), never a refusal of a point, which the same point meets again.
/// </summary>
public static class TransientFailures
{
    /// <summary>
    /// Whether a failed grain call may succeed when made again: a timeout, a silo that left or is unreachable, a
    /// rejected or dropped message, a busy gateway, a shard whose owner is down. Anything else (a caller bug, a schema
    /// refusal) is not.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        null => false,
        TimeoutException or SiloUnavailableException or ShardUnavailableException or OrleansMessageRejectionException
            or GatewayTooBusyException or ConnectionFailedException or Orleans.Networking.Shared.SocketConnectionException => true,
        AggregateException { InnerExceptions.Count: 1 } aggregate => IsTransient(aggregate.InnerExceptions[0]),
        _ => false,
    };

    /// <summary>
    /// Whether an element refused with <paramref name="status"/> may be stored when sent again: the grain marked the
    /// refusal <see cref="ElementRefusal.Retryable"/> (its shard could not take it), or the silo had not yet applied
    /// the schema revision the write names (<see cref="WriteStatus.SchemaNotApplied"/>: nothing was written).
    /// </summary>
    public static bool IsRetryable(WriteStatus status, ElementRefusal? refusal)
        => status == WriteStatus.SchemaNotApplied || (status != WriteStatus.Succeed && refusal is { Retryable: true });
}
