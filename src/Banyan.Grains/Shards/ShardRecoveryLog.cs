using Banyan.Storage.Shards;
using Banyan.Storage.Wal;
using Microsoft.Extensions.Logging;

namespace Banyan.Grains.Shards;

/// <summary>
/// Writes what opening a shard found and repaired (<see cref="Shard.Recovery"/>) to the silo's log, so an operator sees
/// it: what a crash leaves and recovery removes by itself (a torn last WAL record, an unfinished WAL file) as
/// information, what is worth a look (a snapshot that did not load, replayed records without index entries) and what an
/// operator's repair dropped (acknowledged records, whose rows are lost) as warnings.
/// </summary>
public static partial class ShardRecoveryLog
{
    /// <summary>Logs <paramref name="report"/> of the shard named <paramref name="shard"/>; nothing when it is clean.</summary>
    public static void Write(ILogger logger, string shard, ShardRecoveryReport report)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(report);
        foreach (WalDroppedRange range in report.Wal.Dropped)
        {
            if (range.Kind == WalDropKind.Damaged)
            {
                LogDamagedDropped(logger, shard, range.FilePath, range.Offset, range.Length, range.Reason);
            }
            else
            {
                LogCrashLeftoverRemoved(logger, shard, range.Kind, range.FilePath, range.Offset, range.Length, range.Reason);
            }
        }

        foreach (string warning in report.Wal.Warnings)
        {
            LogWalWarning(logger, shard, warning);
        }

        foreach (string snapshot in report.RejectedSnapshots)
        {
            LogSnapshotRejected(logger, shard, snapshot);
        }

        if (report.UnindexedRecords > 0)
        {
            LogUnindexed(logger, shard, report.UnindexedRecords);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: WAL repair (Silo:Shard:WalRecovery=Repair) dropped {Length} bytes of acknowledged records at offset {Offset} of '{File}': {Reason}. The rows of those records are lost; restart without the setting once the damaged shards are open")]
    private static partial void LogDamagedDropped(ILogger logger, string shard, string file, long offset, long length, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard}: recovery removed what a crash left ({Kind}): {Length} bytes at offset {Offset} of '{File}', never acknowledged: {Reason}")]
    private static partial void LogCrashLeftoverRemoved(ILogger logger, string shard, WalDropKind kind, string file, long offset, long length, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: WAL recovery: {Warning}")]
    private static partial void LogWalWarning(ILogger logger, string shard, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: a snapshot did not load and the one before it was used: {Snapshot}")]
    private static partial void LogSnapshotRejected(ILogger logger, string shard, string snapshot);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard}: {Records} replayed WAL records came back without index entries (logged before their subject was configured)")]
    private static partial void LogUnindexed(ILogger logger, string shard, long records);
}
