using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Tests.Grains;

public sealed class ProfileState
{
    public string Name { get; set; } = string.Empty;

    public int Visits { get; set; }

    public List<string> Tags { get; set; } = [];
}

public interface IProfileGrain : IGrainWithStringKey
{
    Task Visit(string name, string tag);

    Task<string> Describe();

    Task<string?> GetEtag();

    Task<bool> Exists();

    Task Clear();

    Task Reload();

    Task SetNote(string value);

    Task<string> GetNote();
}

/// <summary>A grain with two states: a JSON POCO in provider "store" and a protobuf message in the same provider.</summary>
public sealed class ProfileGrain(
    [PersistentState("profile", "store")] IPersistentState<ProfileState> profile,
    [PersistentState("note", "store")] IPersistentState<StringValue> note) : Grain, IProfileGrain
{
    public async Task Visit(string name, string tag)
    {
        profile.State.Name = name;
        profile.State.Visits++;
        profile.State.Tags.Add(tag);
        await profile.WriteStateAsync();
    }

    public Task<string> Describe() => Task.FromResult($"{profile.State.Name}:{profile.State.Visits}:{string.Join(",", profile.State.Tags)}");

    public Task<string?> GetEtag() => Task.FromResult(profile.Etag);

    public Task<bool> Exists() => Task.FromResult(profile.RecordExists);

    public Task Clear() => profile.ClearStateAsync();

    public Task Reload() => profile.ReadStateAsync();

    public async Task SetNote(string value)
    {
        note.State.Value = value;
        await note.WriteStateAsync();
    }

    public Task<string> GetNote() => Task.FromResult(note.State.Value);
}

public interface IDefaultStorageGrain : IGrainWithStringKey
{
    Task<int> Read();
}

/// <summary>Uses the provider named "Default", which the test cluster of this grain's test does not register.</summary>
public sealed class DefaultStorageGrain([PersistentState("value")] IPersistentState<ProfileState> state) : Grain, IDefaultStorageGrain
{
    public Task<int> Read() => Task.FromResult(state.State.Visits);
}

public interface IUnimplementedGrain : IGrainWithStringKey
{
    Task Nothing();
}
