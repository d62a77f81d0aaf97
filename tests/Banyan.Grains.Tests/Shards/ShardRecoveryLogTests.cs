using Banyan.Grains.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Storage.Shards;
using Banyan.Storage.Wal;

namespace Banyan.Grains.Tests.Shards;

/// <summary>What opening a shard repaired reaches the silo's log, the lost rows of a WAL repair as a warning.</summary>
public sealed class ShardRecoveryLogTests
{
    [Fact]
    public void A_repairs_dropped_records_and_a_rejected_snapshot_are_warnings_naming_the_file_and_a_torn_tail_is_not()
    {
        const string shard = "recovery-log-g/2026120203/0";
        ShardRecoveryReport report = new(
            ["0000000000000007.snp: checksum mismatch"],
            new WalRecoveryReport(
            [
                new WalDroppedRange("/data/recovery-log-g/wal/0000000000000002.wal", 4096, 512, WalDropKind.Damaged, "record 9: checksum mismatch (dropped: WalOptions.Recovery = Repair)"),
                new WalDroppedRange("/data/recovery-log-g/wal/0000000000000003.wal", 72, 40, WalDropKind.TornTail, "a record cut short"),
            ],
            []),
            ReplayedRecords: 3);

        ShardRecoveryLog.Write(new RecordedWarnings().CreateLogger("test"), shard, report);

        string[] mine = [.. RecordedWarnings.Entries.Where(e => e.Contains(shard, StringComparison.Ordinal))];
        Assert.Equal(2, mine.Length);
        Assert.Contains(mine, e => e.Contains("dropped 512 bytes of acknowledged records at offset 4096 of '/data/recovery-log-g/wal/0000000000000002.wal'", StringComparison.Ordinal)
            && e.Contains("lost", StringComparison.Ordinal));
        Assert.Contains(mine, e => e.Contains("0000000000000007.snp: checksum mismatch", StringComparison.Ordinal));
    }
}
