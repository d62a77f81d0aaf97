using Banyan.GrainInterfaces.Storage;
using Banyan.Grains.Groups;
using Banyan.Grains.Storage;
using Banyan.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Banyan.Grains.Tests.Storage;

/// <summary>The file grain storage provider with the silo's own serializer (taken from a running test silo).</summary>
[Collection(SharedClusterDefinition.Name)]
public sealed class FileGrainStorageTests(ClusterFixture fixture) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_state_file_format_is_pinned_byte_by_byte()
    {
        // Header: "BGST", format 2, flags 0, ETag version 7, payload length 7, CRC-32C; then {"s":1}.
        byte[] file = GrainStateFile.Encode(7, "{\"s\":1}"u8);
        Assert.Equal("424753540200000007000000000000000700000069D38FFF7B2273223A317D", Convert.ToHexString(file));
        (long version, ReadOnlyMemory<byte> payload) = GrainStateFile.Decode(file, "pinned");
        Assert.Equal(7, version);
        Assert.Equal("{\"s\":1}"u8.ToArray(), payload.ToArray());
    }

    [Fact]
    public async Task The_silo_default_serializer_writes_json_naming_the_state_type()
    {
        // Pinned: the payload of a group state written with the silo's default IGrainStorageSerializer
        // (Orleans' JSON serializer, which names .NET types in "$type"; see docs/format/grain-state.md).
        FileGrainStorage storage = NewStorage();
        GrainId id = GrainId.Create("group", "pinned-json");
        await storage.WriteStateAsync("group", id, new GrainState<GroupState>(new GroupState
        {
            ShardOwners = ["node-0", "node-1"],
            Segments = [new SegmentRecord { Start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), End = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), Shards = [0, 1] }],
            GroupRevision = 3,
        }));
        byte[] file = await File.ReadAllBytesAsync(storage.PathOf("group", id));
        string payload = System.Text.Encoding.UTF8.GetString(file.AsSpan(GrainStateFile.HeaderSize));
        Assert.Equal(PinnedGroupStateJson, payload);
    }

    [Fact]
    public async Task A_deletion_task_state_is_its_protobuf_bytes_in_base64()
    {
        // Pinned: docs/format/grain-state.md, "deletion-task". The bytes are BanyanDB's GroupDeletionTask message.
        FileGrainStorage storage = NewStorage();
        GrainId id = GrainId.Create("groupdeletiontask", "pinned-task");
        Banyan.Api.Database.V1.GroupDeletionTask task = new() { CurrentPhase = Banyan.Api.Database.V1.GroupDeletionTask.Types.Phase.Completed, Message = "ok" };
        await storage.WriteStateAsync("deletion-task", id, new GrainState<Banyan.Grains.Groups.GroupDeletionTaskState>(new Banyan.Grains.Groups.GroupDeletionTaskState { Task = Google.Protobuf.MessageExtensions.ToByteArray(task) }));
        byte[] file = await File.ReadAllBytesAsync(storage.PathOf("deletion-task", id));
        Assert.Equal(
            "{\"$id\":\"1\",\"$type\":\"Banyan.Grains.Groups.GroupDeletionTaskState, Banyan.Grains\",\"Task\":{\"$type\":\"System.Byte[], System.Private.CoreLib\",\"$value\":\"CAMyAm9r\"}}",
            System.Text.Encoding.UTF8.GetString(file.AsSpan(GrainStateFile.HeaderSize)));
    }

    private const string PinnedGroupStateJson =
        "{\"$id\":\"1\",\"$type\":\"Banyan.Grains.Groups.GroupState, Banyan.Grains\",\"ShardOwners\":{\"$type\":\"System.Collections.Generic.List`1[[System.String, System.Private.CoreLib]], System.Private.CoreLib\",\"$values\":[\"node-0\",\"node-1\"]},\"Segments\":{\"$type\":\"System.Collections.Generic.List`1[[Banyan.Grains.Groups.SegmentRecord, Banyan.Grains]], System.Private.CoreLib\",\"$values\":[{\"$id\":\"2\",\"$type\":\"Banyan.Grains.Groups.SegmentRecord, Banyan.Grains\",\"Start\":\"2026-12-01T00:00:00+00:00\",\"End\":\"2026-12-02T00:00:00+00:00\",\"Shards\":{\"$type\":\"System.Collections.Generic.List`1[[System.Int32, System.Private.CoreLib]], System.Private.CoreLib\",\"$values\":[0,1]}}]},\"GroupRevision\":3}";

    [Fact]
    public async Task State_round_trips_and_the_etag_counts_writes()
    {
        FileGrainStorage storage = NewStorage();
        GrainId id = GrainId.Create("group", "round-trip");
        GrainState<GroupState> written = new(new GroupState { ShardOwners = ["a", "b"] });
        await storage.WriteStateAsync("group", id, written);
        Assert.Equal("1", written.ETag);
        await storage.WriteStateAsync("group", id, written);
        Assert.Equal("2", written.ETag);

        GrainState<GroupState> read = new();
        await storage.ReadStateAsync("group", id, read);
        Assert.True(read.RecordExists);
        Assert.Equal("2", read.ETag);
        Assert.Equal(["a", "b"], read.State!.ShardOwners);

        GrainState<GroupState> missing = new();
        await storage.ReadStateAsync("group", GrainId.Create("group", "never-written"), missing);
        Assert.False(missing.RecordExists);
        Assert.Null(missing.ETag);
        Assert.NotNull(missing.State);
        Assert.Empty(missing.State!.ShardOwners);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_stale_writer_gets_InconsistentStateException_and_the_winner_is_kept()
    {
        FileGrainStorage storage = NewStorage();
        GrainId id = GrainId.Create("group", "stale");
        await storage.WriteStateAsync("group", id, new GrainState<GroupState>(new GroupState { ShardOwners = ["first"] }));

        GrainState<GroupState> a = new();
        GrainState<GroupState> b = new();
        await storage.ReadStateAsync("group", id, a);
        await storage.ReadStateAsync("group", id, b);
        a.State!.ShardOwners = ["a"];
        b.State!.ShardOwners = ["b"];
        await storage.WriteStateAsync("group", id, a);
        InconsistentStateException e = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("group", id, b));
        Assert.Equal("2", e.StoredEtag);
        Assert.Equal("1", e.CurrentEtag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("group", id, b));

        GrainState<GroupState> read = new();
        await storage.ReadStateAsync("group", id, read);
        Assert.Equal(["a"], read.State!.ShardOwners);
    }

    [Fact]
    public async Task Of_concurrent_writers_with_one_etag_exactly_one_wins()
    {
        FileGrainStorage storage = NewStorage();
        GrainId id = GrainId.Create("group", "race");
        Task<bool>[] writers = [.. Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await storage.WriteStateAsync("group", id, new GrainState<GroupState>(new GroupState { ShardOwners = [$"w{i}"] }));
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }))];
        bool[] won = await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, won.Count(w => w));
        GrainState<GroupState> read = new();
        await storage.ReadStateAsync("group", id, read);
        Assert.Equal("1", read.ETag);
        Assert.Equal($"w{Array.IndexOf(won, true)}", Assert.Single(read.State!.ShardOwners));
    }

    [Fact]
    public async Task Clear_removes_the_file_and_a_new_write_starts_over()
    {
        FileGrainStorage storage = NewStorage();
        GrainId id = GrainId.Create("group", "clear");
        GrainState<GroupState> state = new(new GroupState { ShardOwners = ["x"] });
        await storage.WriteStateAsync("group", id, state);
        string path = storage.PathOf("group", id);
        Assert.True(File.Exists(path));
        await storage.ClearStateAsync("group", id, state);
        Assert.False(File.Exists(path));
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        await storage.WriteStateAsync("group", id, state);
        Assert.Equal("1", state.ETag);
    }

    [Theory]
    [InlineData(0, 0)] // magic
    [InlineData(4, 4)] // format version
    [InlineData(6, 6)] // flags
    [InlineData(16, 16)] // payload length
    [InlineData(20, 20)] // the CRC itself
    [InlineData(25, 20)] // a payload bit: caught by the CRC
    [InlineData(9, 20)] // an ETag bit: caught by the CRC
    public async Task A_flipped_bit_gives_the_typed_error_naming_file_and_offset(int byteToFlip, long expectedOffset)
    {
        FileGrainStorage storage = NewStorage();
        GrainId id = GrainId.Create("group", "flipped-" + byteToFlip);
        await storage.WriteStateAsync("group", id, new GrainState<GroupState>(new GroupState { ShardOwners = ["a", "b", "c"] }));
        string path = storage.PathOf("group", id);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        bytes[byteToFlip] ^= 0x10;
        await File.WriteAllBytesAsync(path, bytes);

        GrainStateCorruptionException e = await Assert.ThrowsAsync<GrainStateCorruptionException>(() => storage.ReadStateAsync("group", id, new GrainState<GroupState>()));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(expectedOffset, e.Offset);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);

        // A writer cannot overwrite what it cannot verify either: the damage stays visible.
        await Assert.ThrowsAsync<GrainStateCorruptionException>(() => storage.WriteStateAsync("group", id, new GrainState<GroupState>(new GroupState())));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(23)]
    [InlineData(30)]
    public async Task A_torn_file_gives_the_typed_error(int keptBytes)
    {
        FileGrainStorage storage = NewStorage();
        GrainId id = GrainId.Create("group", "torn-" + keptBytes);
        await storage.WriteStateAsync("group", id, new GrainState<GroupState>(new GroupState { ShardOwners = ["a", "b", "c"] }));
        string path = storage.PathOf("group", id);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length > keptBytes);
        await File.WriteAllBytesAsync(path, bytes[..keptBytes]);

        GrainStateCorruptionException e = await Assert.ThrowsAsync<GrainStateCorruptionException>(() => storage.ReadStateAsync("group", id, new GrainState<GroupState>()));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(keptBytes < GrainStateFile.HeaderSize ? keptBytes : 16, e.Offset);
    }

    [Fact]
    public async Task A_payload_that_does_not_decode_gives_the_typed_error_at_the_payload_offset()
    {
        FileGrainStorage storage = NewStorage();
        GrainId id = GrainId.Create("group", "garbage");
        string path = storage.PathOf("group", id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, GrainStateFile.Encode(1, "this is not json"u8));
        GrainStateCorruptionException e = await Assert.ThrowsAsync<GrainStateCorruptionException>(() => storage.ReadStateAsync("group", id, new GrainState<GroupState>()));
        Assert.Equal(GrainStateFile.HeaderSize, e.Offset);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public void Grain_ids_become_escaped_file_names_under_the_grain_type()
    {
        FileGrainStorage storage = NewStorage();
        string path = storage.PathOf("shard", GrainId.Create("shard", "sw_metric/2026120100/3"));
        Assert.Equal(Path.Combine(_folder.Path, "shard", "sw_metric%2F2026120100%2F3.shard.state"), path);
    }

    private FileGrainStorage NewStorage()
    {
        IServiceProvider silo = fixture.Cluster.GetSiloServiceProvider();
        return new FileGrainStorage(_folder.Path, silo.GetRequiredService<IGrainStorageSerializer>(), silo.GetRequiredService<IActivatorProvider>());
    }
}
