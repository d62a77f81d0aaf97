namespace Banyan.Client.Writes;

/// <summary>What a bulk writer did, once every point it took is acknowledged or reported failed.</summary>
/// <typeparam name="TPoint">The writer's point type.</typeparam>
/// <param name="Written">Points taken by <c>WriteAsync</c>.</param>
/// <param name="Acknowledged">Points the cluster answered <c>STATUS_SUCCEED</c> (durable, or older than the group's TTL: see <paramref name="Expired"/>).</param>
/// <param name="Expired">Of <paramref name="Acknowledged"/>, points accepted but not stored because their segment is older than the group's TTL (BanyanDB answers them the same way).</param>
/// <param name="Failed">Points not stored; <c>Acknowledged + Failed == Written</c>.</param>
/// <param name="Retried">Sends of points after a transient failure (a point retried twice counts twice).</param>
/// <param name="Failures">The failed points with status and reason, in the order they became final; at most <see cref="BulkWriterOptions.MaxRetainedFailures"/> (<paramref name="Failed"/> counts them all).</param>
public sealed record BulkWriteResult<TPoint>(long Written, long Acknowledged, long Expired, long Failed, long Retried, IReadOnlyList<WriteFailure<TPoint>> Failures)
    where TPoint : Google.Protobuf.IMessage;
