using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Tests.Snapshots;

public sealed class SnapshotFileTests
{
    // Checksum computed independently with a bitwise CRC-32C (polynomial 0x82F63B78) in Python.
    private const string GoldenHex =
        "42534E50" + "01000000" + "0500000000000000" + "1000000000000000" + "02000000"
        + "0300000000000000" + "0100000000000000" + "AACD6D9C";

    [Fact]
    public void Golden_bytes()
    {
        byte[] bytes = SnapshotFile.Encode(new ShardSnapshotRecord(5, 0x10, [3, 1]));
        Assert.Equal(Convert.FromHexString(GoldenHex), bytes);
        ShardSnapshotRecord decoded = SnapshotFile.Decode("x.snp", bytes);
        Assert.Equal(5, decoded.Epoch);
        Assert.Equal(0x10, decoded.FlushedLsn);
        Assert.Equal([3L, 1L], decoded.PartIds); // order kept: oldest data first
    }

    [Fact]
    public void Every_flipped_byte_and_every_truncation_is_corruption()
    {
        byte[] bytes = Convert.FromHexString(GoldenHex);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[i] ^= 0x04;
            StorageCorruptionException ex = Assert.Throws<StorageCorruptionException>(() => SnapshotFile.Decode("a.snp", copy));
            Assert.Equal("a.snp", ex.FilePath);
        }

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<StorageCorruptionException>(() => SnapshotFile.Decode("a.snp", bytes.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Random_bytes_only_raise_corruption()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4 && random.Next(2) == 0)
            {
                "BSNP"u8.CopyTo(bytes);
            }

            try
            {
                SnapshotFile.Decode("r.snp", bytes);
                Assert.Fail($"random bytes decoded (seed {seed})");
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }
}
