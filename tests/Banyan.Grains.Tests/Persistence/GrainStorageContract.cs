using Banyan.Grains.Tests.Grains;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Tests.Persistence;

/// <summary>The behaviour every grain storage provider must have, run against each provider.</summary>
public static class GrainStorageContract
{
    public static async Task RoundTripAndEtagConflict(IGrainStorage storage)
    {
        GrainId id = new("profile", Guid.NewGuid().ToString("N") + "/with/slashes and spaces");
        GrainState<ProfileState> empty = new(new ProfileState());
        await storage.ReadStateAsync("profile", id, empty);
        Assert.False(empty.RecordExists);
        Assert.Null(empty.ETag);

        GrainState<ProfileState> writer = new(new ProfileState { Name = "ann", Visits = 3, Tags = ["x"] });
        await storage.WriteStateAsync("profile", id, writer);
        Assert.True(writer.RecordExists);
        Assert.NotNull(writer.ETag);

        GrainState<ProfileState> reader = new(new ProfileState());
        await storage.ReadStateAsync("profile", id, reader);
        Assert.True(reader.RecordExists);
        Assert.Equal(writer.ETag, reader.ETag);
        Assert.Equal("ann", reader.State.Name);
        Assert.Equal(3, reader.State.Visits);
        Assert.Equal(["x"], reader.State.Tags);

        // Both hold the same ETag; the first write wins, the second is a conflict.
        reader.State.Visits = 4;
        await storage.WriteStateAsync("profile", id, reader);
        Assert.NotEqual(writer.ETag, reader.ETag);
        writer.State.Visits = 99;
        InconsistentStateException conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("profile", id, writer));
        Assert.Equal(reader.ETag, conflict.StoredEtag);
        Assert.Contains(id.ToString(), conflict.Message, StringComparison.Ordinal);

        // A writer that believes no record exists also conflicts.
        GrainState<ProfileState> fresh = new(new ProfileState());
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("profile", id, fresh));

        // Clear with a stale ETag conflicts; with the current one it deletes.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("profile", id, writer));
        await storage.ClearStateAsync("profile", id, reader);
        Assert.False(reader.RecordExists);
        GrainState<ProfileState> after = new(new ProfileState());
        await storage.ReadStateAsync("profile", id, after);
        Assert.False(after.RecordExists);
        Assert.Equal(0, after.State.Visits);

        // Protobuf state, and other state names of the same grain are independent records.
        GrainState<StringValue> message = new(new StringValue { Value = "hello" });
        await storage.WriteStateAsync("note", id, message);
        GrainState<StringValue> messageBack = new(new StringValue());
        await storage.ReadStateAsync("note", id, messageBack);
        Assert.Equal("hello", messageBack.State.Value);
    }
}
