using Banyan.Storage.Wal;

namespace Banyan.Storage.Shards;

/// <summary>What <see cref="Shard.Open"/> found and repaired, for logs and tests.</summary>
/// <param name="RejectedSnapshots">Snapshot files that failed to load, with reasons (renamed to <c>*.corrupt</c>).</param>
/// <param name="Wal">What the WAL dropped, range by range (torn tails, unfinished files; damaged data in repair mode).</param>
/// <param name="ReplayedRecords">WAL records replayed into memory (written after the snapshot's flush point).</param>
/// <param name="UnindexedRecords">Replayed records the indexes could not take (logged before their subject was configured, or under a configuration since changed): their rows are back, without index entries.</param>
public sealed record ShardRecoveryReport(IReadOnlyList<string> RejectedSnapshots, WalRecoveryReport Wal, long ReplayedRecords, long UnindexedRecords = 0);
