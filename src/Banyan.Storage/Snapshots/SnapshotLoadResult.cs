namespace Banyan.Storage.Snapshots;

/// <summary>What <see cref="SnapshotStore.Load"/> found.</summary>
/// <param name="Current">The newest usable snapshot; null for a new shard.</param>
/// <param name="Previous">The usable snapshot before it, still kept on disk; null when none.</param>
/// <param name="Rejected">Snapshot files that failed to load, each with the reason (renamed to <c>*.corrupt</c>).</param>
/// <param name="HighestId">The largest epoch or part id seen in the directory; new ids must be above it.</param>
public sealed record SnapshotLoadResult(ShardSnapshotRecord? Current, ShardSnapshotRecord? Previous, IReadOnlyList<string> Rejected, long HighestId);
