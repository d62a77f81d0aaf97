using Banyan.Grains.Testing;
using Banyan.Grains.Tests.Grains;
using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests.Persistence;

public sealed class FileGrainStorageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "banyan-grain-state-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public Task Satisfies_the_storage_contract() => GrainStorageContract.RoundTripAndEtagConflict(new FileGrainStorage(new FileGrainStorageOptions { RootDirectory = _root }));

    [Fact]
    public async Task Grain_state_survives_a_restart_of_the_cluster_and_conflicts_surface_as_InconsistentStateException()
    {
        string key = Signals.NewId();
        await using (TestCluster cluster = await Clusters.StartAsync(1, silo => silo.AddFileGrainStorage("store", o => o.RootDirectory = _root)))
        {
            IProfileGrain grain = cluster.Client.GetGrain<IProfileGrain>(key);
            Assert.False(await grain.Exists());
            await grain.Visit("ann", "a");
            await grain.Visit("ann", "b");
            await grain.SetNote("protobuf state");
        }

        await using (TestCluster cluster = await Clusters.StartAsync(1, silo => silo.AddFileGrainStorage("store", o => o.RootDirectory = _root)))
        {
            IProfileGrain grain = cluster.Client.GetGrain<IProfileGrain>(key);
            Assert.True(await grain.Exists());
            Assert.Equal("ann:2:a,b", await grain.Describe());
            Assert.Equal("protobuf state", await grain.GetNote());

            // Another writer changes the record behind the activation's back.
            FileGrainStorage other = new(new FileGrainStorageOptions { RootDirectory = _root });
            GrainState<ProfileState> state = new(new ProfileState());
            GrainId id = new("profile", key);
            await other.ReadStateAsync("profile", id, state);
            state.State.Visits = 100;
            await other.WriteStateAsync("profile", id, state);

            InconsistentStateException e = await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Visit("ann", "c"));
            Assert.Contains("profile", e.Message, StringComparison.Ordinal);
            await grain.Reload();
            await grain.Visit("ann", "d");
            Assert.StartsWith("ann:101:", await grain.Describe(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_state_file_format_is_pinned_byte_by_byte()
    {
        byte[] file = FileGrainStorage.Encode(7, [0x0A, 0x02, 0x68, 0x69]);
        byte[] expected =
        [
            0x42, 0x47, 0x53, 0x54, // magic "BGST"
            0x01, 0x00,             // format version 1
            0x00, 0x00,             // flags
            0x07, 0, 0, 0, 0, 0, 0, 0, // ETag version 7
            0x04, 0x00, 0x00, 0x00, // payload length 4
            0x12, 0x05, 0x1D, 0xAF, // CRC-32C of bytes 0..19 and the payload, little-endian
            0x0A, 0x02, 0x68, 0x69, // payload
        ];
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(file));
        (long version, ReadOnlyMemory<byte> payload) = FileGrainStorage.Decode(file, "golden");
        Assert.Equal(7, version);
        Assert.Equal([0x0A, 0x02, 0x68, 0x69], payload.ToArray());
    }

    [Fact]
    public void Damaged_state_files_raise_a_corruption_error_naming_file_and_offset()
    {
        byte[] good = FileGrainStorage.Encode(3, "{\"Name\":\"x\"}"u8);
        int seed = Environment.TickCount;
        Random random = new(seed);
        for (int i = 0; i < 500; i++)
        {
            byte[] bad = (byte[])good.Clone();
            switch (random.Next(3))
            {
                case 0:
                    bad = bad[..random.Next(bad.Length)];
                    break;
                case 1:
                    bad[random.Next(bad.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                default:
                    bad = [.. bad, (byte)random.Next(256)];
                    break;
            }

            GrainStateCorruptionException e = Assert.Throws<GrainStateCorruptionException>(() => FileGrainStorage.Decode(bad, "/state/file"));
            Assert.True(e.Message.Contains("/state/file", StringComparison.Ordinal) && e.Message.Contains("offset", StringComparison.Ordinal), $"seed {seed}: {e.Message}");
        }
    }
}
