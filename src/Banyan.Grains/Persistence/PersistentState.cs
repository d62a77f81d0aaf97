namespace Banyan.Grains.Runtime;

/// <summary>The runtime's <see cref="IPersistentState{TState}"/>: a record bound to one provider, state name and grain.</summary>
internal sealed class PersistentState<TState>(string stateName, GrainId grainId, IGrainStorage storage) : IPersistentState<TState>, IGrainState<TState>, IPersistentStateLoader
{
    public TState State { get; set; } = StateSerializer.CreateDefault<TState>();

    public string? Etag { get; private set; }

    public bool RecordExists { get; set; }

    string? IGrainState<TState>.ETag
    {
        get => Etag;
        set => Etag = value;
    }

    public Task ReadStateAsync() => storage.ReadStateAsync(stateName, grainId, this);

    public Task WriteStateAsync() => storage.WriteStateAsync(stateName, grainId, this);

    public async Task ClearStateAsync()
    {
        await storage.ClearStateAsync(stateName, grainId, this);
        State = StateSerializer.CreateDefault<TState>();
    }
}

/// <summary>Lets the activation read every injected state before OnActivateAsync without knowing its type.</summary>
internal interface IPersistentStateLoader
{
    Task ReadStateAsync();
}
