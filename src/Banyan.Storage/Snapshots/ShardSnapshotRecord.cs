namespace Banyan.Storage.Snapshots;

/// <summary>The content of one snapshot file: which on-disk parts are live.</summary>
/// <param name="Epoch">Increases with every snapshot of the shard; names the file. Part ids and epochs come from one counter, so a part id is below the epoch of the first snapshot listing it.</param>
/// <param name="FlushedLsn">Every WAL record up to this LSN (inclusive) is contained in the listed parts; replay starts after it.</param>
/// <param name="PartIds">Ids of the live parts; each names the folder <c>&lt;016x id&gt;</c>.</param>
public sealed record ShardSnapshotRecord(long Epoch, long FlushedLsn, IReadOnlyList<long> PartIds);
