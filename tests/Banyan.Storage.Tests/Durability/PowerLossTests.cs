using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Banyan.Storage.CrashChild;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Tests.Crash;
using Banyan.Storage.Wal;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Banyan.Storage.Tests.Durability;

/// <summary>
/// A kill is not a power loss: after SIGKILL the kernel still holds what was not fsynced, so a missing
/// or misplaced fsync passes every kill test. These tests run the crash workloads in-process on a
/// <see cref="PowerLossFileSystem"/> and cut the power at a chosen file operation: anywhere, in a
/// snapshot install, in an index flush or a part write, or in the recovery of <c>Shard.Open</c>. The
/// folder goes back to exactly what the fsyncs made durable (in every third round, that plus a random
/// half of the sectors written since: torn writes). Then the WAL or shard is reopened on the real files
/// and checked: it opens (a power loss is no corruption), nothing acknowledged is lost, nothing is half
/// there. <see cref="A_removed_fsync_is_caught"/> shows the layer is not blind: with one of the
/// engine's fsyncs turned into a no-op, acknowledged data goes missing.
/// </summary>
public sealed class PowerLossTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_roundLimit = TimeSpan.FromSeconds(2);

    [Fact]
    public void Acknowledged_wal_records_survive_a_power_cut_at_any_operation()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        using TempDirectory dir = new();
        string wal = Path.Combine(dir.Path, "wal");
        HashSet<long> acknowledged = [];
        int rounds = CrashTestsSettings.LongRun ? 300 : 30;
        for (int round = 0; round < rounds; round++)
        {
            long first = round * 1_000_000_000L;
            long cutAt = 1 + random.Next(300);
            bool torn = round % 3 == 2;
            string context = $"seed {seed}, round {round}, cut at operation {cutAt}{(torn ? ", torn writes" : string.Empty)}";
            Round result = RunRound(dir.Path, seed + round, op => op.Index == cutAt, torn, null,
                (ready, stop, expected, ack) => WalWorkload.Run(wal, seed + round, first, ready, ack, stop, expected));
            Assert.True(result.Failure is null, $"{context}: the workload failed before the power cut: {result.Failure}");
            acknowledged.UnionWith(result.Acknowledged);
            CheckWal(wal, acknowledged, first + 1_000_000_000, context);
        }

        Assert.True(acknowledged.Count > rounds, $"only {acknowledged.Count} records acknowledged in {rounds} rounds");
    }

    [Fact]
    public void Acknowledged_stream_batches_survive_power_cuts_in_writes_flushes_merges_snapshots_index_flushes_and_recovery() =>
        RunShard(DataKind.Stream, CrashTestsSettings.LongRun ? 240 : 24);

    [Fact]
    public void The_newest_acknowledged_measure_version_survives_power_cuts() =>
        RunShard(DataKind.Measure, CrashTestsSettings.LongRun ? 160 : 16);

    [Theory]
    [InlineData("wal-record")] // the fsync of WAL records (group commit) and of new WAL files
    [InlineData("part-file")]  // the fsync of each file of a part before its folder is committed
    [InlineData("shard-folder")] // the shard folder's fsync after parts and snapshots are renamed into it
    public void A_removed_fsync_is_caught(string removed)
    {
        Func<string, bool> skip = removed switch
        {
            "wal-record" => path => path.Contains($"{Path.DirectorySeparatorChar}wal{Path.DirectorySeparatorChar}", StringComparison.Ordinal),
            "part-file" => path => Path.GetFileName(Path.GetDirectoryName(path)!).EndsWith(".tmp", StringComparison.Ordinal),
            "shard-folder" => path => Directory.Exists(path) && Directory.EnumerateFiles(path, "*.snp").Any(),
            _ => throw new ArgumentException(removed),
        };
        int seed = Environment.TickCount;
        Random random = new(seed);
        // Up to 8 cuts, stopping at the first that shows the loss (in trials every cut did).
        int caught = 0;
        int rounds = 0;
        const int MaxRounds = 8;
        for (int round = 0; round < MaxRounds && caught == 0; round++)
        {
            rounds++;
            using TempDirectory dir = new();
            string shardPath = Path.Combine(dir.Path, "shard");

            // Late enough for several flushes, and so WAL truncations, to have relied on the removed fsync.
            long cutAt = 1200 + random.Next(1200);
            Round result = RunRound(dir.Path, seed + round, op => op.Index == cutAt, torn: false, skip,
                (ready, stop, expected, ack) => ShardWorkload.Run(shardPath, DataKind.Stream, seed + round, 0, ready, ack, stop, expected));
            try
            {
                using Shard shard = Shard.Open(shardPath, ShardWorkload.Options());
                ShardChecker.CheckStream(shard, new HashSet<long>(result.Acknowledged), 1_000_000, random, $"round {round}");
            }
            catch (Exception e) when (e is XunitException or StorageCorruptionException)
            {
                output.WriteLine($"round {round} (cut at {cutAt}): {e.Message.Split('\n')[0]}");
                caught++;
            }
        }

        output.WriteLine($"{removed}: {caught} of {rounds} power cuts lost acknowledged data or left a shard that does not open");
        Assert.True(caught > 0, $"with the {removed} fsync removed, no power cut lost anything (seed {seed}): the power-loss layer does not see fsyncs");
    }

    private void RunShard(DataKind kind, int rounds)
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        using TempDirectory dir = new();
        string shardPath = Path.Combine(dir.Path, "shard");
        HashSet<long> acknowledged = [];
        Dictionary<string, int> cuts = [];
        for (int round = 0; round < rounds; round++)
        {
            long first = round * 1_000_000L;
            bool torn = round % 3 == 2;
            (string where, Func<FileOperation, bool> cut) = (round % 4) switch
            {
                0 => Nth("anywhere", _ => true, 1 + random.Next(600)),
                1 => Nth("snapshot", op => Path.GetFileName(op.Path).Contains(".snp", StringComparison.Ordinal), 1 + random.Next(10)),
                2 => kind == DataKind.Stream
                    ? Nth("index", op => op.Path.Contains($"{Path.DirectorySeparatorChar}idx", StringComparison.Ordinal) || op.Path.Contains($"{Path.DirectorySeparatorChar}sidx", StringComparison.Ordinal), 1 + random.Next(10))
                    : Nth("part", op => op.Path.Contains(".tmp", StringComparison.Ordinal) && !op.Path.Contains("wal", StringComparison.Ordinal), 1 + random.Next(20)),
                _ => Nth("recovery", _ => true, 1 + random.Next(3)), // the first operations: Shard.Open's recovery when it has any
            };
            string context = $"seed {seed}, round {round}, cut {where}{(torn ? ", torn writes" : string.Empty)}";
            Round result = RunRound(dir.Path, seed + round, cut, torn, null,
                (ready, stop, expected, ack) => ShardWorkload.Run(shardPath, kind, seed + round, first, ready, ack, stop, expected));
            Assert.True(result.Failure is null, $"{context}: the workload failed before the power cut: {result.Failure}");
            acknowledged.UnionWith(result.Acknowledged);
            string landed = result.CutAt is null ? "after-the-round" : result.CutBeforeReady ? "in-Shard.Open" : where;
            cuts[landed] = cuts.GetValueOrDefault(landed) + 1;
            context += $", landed {landed}{(result.CutAt is { } op ? $" ({op.Kind} {Path.GetRelativePath(dir.Path, op.Path)})" : string.Empty)}";

            Shard shard;
            try
            {
                shard = Shard.Open(shardPath, kind == DataKind.Stream ? ShardWorkload.Options() : MeasureBatches.Options());
            }
            catch (StorageCorruptionException e)
            {
                Assert.Fail($"{context}: a power cut left a shard that does not open: {e.Message}");
                throw;
            }

            using (shard)
            {
                if (kind == DataKind.Stream)
                {
                    ShardChecker.CheckStream(shard, acknowledged, first + 1_000_000, random, context);
                }
                else
                {
                    ShardChecker.CheckMeasure(shard, acknowledged, first + 1_000_000, context);
                }
            }
        }

        output.WriteLine($"{kind}: {rounds} power cuts, {acknowledged.Count} acknowledged batches; cuts: {string.Join(", ", cuts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))}");
        Assert.True(acknowledged.Count > rounds / 2, $"only {acknowledged.Count} batches acknowledged in {rounds} rounds");
    }

    // Runs a workload on a power-loss file system over root until the cut (cutting at the end of the
    // round if the trigger never fired), then unmounts. Failures after the cut are the dead machine's.
    private static Round RunRound(string root, int seed, Func<FileOperation, bool> cut, bool torn, Func<string, bool>? skipSync,
        Func<Action, Func<bool>, Func<Exception, bool>, Action<long>, Exception?> workload)
    {
        using PowerLossFileSystem fs = PowerLossFileSystem.MountAt(root, seed, torn, skipSync);
        fs.CutPowerWhen(cut);
        Stopwatch clock = Stopwatch.StartNew();
        List<long> acknowledged = [];
        bool ready = false;
        Exception? failure;
        try
        {
            failure = workload(() => Volatile.Write(ref ready, true), () => fs.IsOff || clock.Elapsed > s_roundLimit, _ => fs.IsOff, value =>
            {
                lock (acknowledged)
                {
                    acknowledged.Add(value);
                }
            });
        }
        catch (Exception e) when (fs.IsOff)
        {
            failure = null; // opening hit the cut
            _ = e;
        }

        fs.CutPower();
        lock (acknowledged)
        {
            return new Round([.. acknowledged], failure, fs.CutAt, fs.CutAt is not null && !Volatile.Read(ref ready));
        }
    }

    private static (string Where, Func<FileOperation, bool> Cut) Nth(string where, Func<FileOperation, bool> matches, int n)
    {
        int seen = 0;
        return (where, op => matches(op) && ++seen == n);
    }

    private static void CheckWal(string wal, HashSet<long> acknowledged, long limit, string context)
    {
        WriteAheadLog reopened;
        try
        {
            reopened = WriteAheadLog.Open(wal, WalWorkload.Options());
        }
        catch (StorageCorruptionException e)
        {
            Assert.Fail($"{context}: a power cut left a WAL that does not open: {e.Message}");
            throw;
        }

        using (reopened)
        {
            HashSet<long> seen = [];
            reopened.Replay(0, (lsn, payload) =>
            {
                long value = BinaryPrimitives.ReadInt64LittleEndian(payload);
                Assert.True(payload.SequenceEqual(WalPayload.Create(value)), $"{context}: record {lsn} holds bytes never written");
                Assert.True(seen.Add(value), $"{context}: value {value} replayed twice");
                Assert.True(value < limit, $"{context}: value {value} was never written");
            });
            foreach (long value in acknowledged)
            {
                Assert.True(seen.Contains(value), $"{context}: acknowledged value {value} lost");
            }
        }
    }

    // CutBeforeReady: the power went off while the shard or WAL was being opened (recovering).
    private sealed record Round(List<long> Acknowledged, Exception? Failure, FileOperation? CutAt, bool CutBeforeReady);
}
