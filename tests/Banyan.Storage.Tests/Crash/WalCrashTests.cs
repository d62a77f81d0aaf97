using System.Buffers.Binary;
using System.Globalization;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Tests.Crash;

public sealed class WalCrashTests
{
    [Fact]
    public void Every_acknowledged_record_survives_kill_minus_nine_exactly_once()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        using TempDirectory dir = new();
        HashSet<long> acknowledged = [];
        int rounds = CrashChildProcess.Rounds(20, 200);
        for (int round = 0; round < rounds; round++)
        {
            long firstValue = (long)round * 1_000_000_000;
            List<long> acked = CrashChildProcess.RunAndKill(
                ["wal", dir.Path, (seed + round).ToString(CultureInfo.InvariantCulture), firstValue.ToString(CultureInfo.InvariantCulture)],
                TimeSpan.FromMilliseconds(random.Next(0, 250)),
                TimeSpan.FromSeconds(30));
            acknowledged.UnionWith(acked);

            using WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { MaxFileSize = 16 * 1024 });
            HashSet<long> seen = [];
            wal.Replay(0, (lsn, payload) =>
            {
                long value = BinaryPrimitives.ReadInt64LittleEndian(payload);
                Assert.True(payload.SequenceEqual(CreatePayload(value)), $"record {lsn} holds bytes never written (seed {seed}, round {round})");
                Assert.True(seen.Add(value), $"value {value} replayed twice (seed {seed}, round {round})");
                Assert.True(value < firstValue + 1_000_000_000, $"value {value} was never written (seed {seed})");
            });
            foreach (long value in acknowledged)
            {
                Assert.True(seen.Contains(value), $"acknowledged value {value} lost (seed {seed}, round {round})");
            }
        }

        Assert.True(acknowledged.Count > rounds, $"the child acknowledged only {acknowledged.Count} records in {rounds} rounds");
    }

    // Mirror of the child's payload, kept separate so a change on one side shows up here.
    private static byte[] CreatePayload(long value)
    {
        int length = 12 + (int)(value % 500);
        byte[] bytes = new byte[length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), length);
        for (int i = 12; i < length; i++)
        {
            bytes[i] = (byte)(i * value);
        }

        return bytes;
    }
}
