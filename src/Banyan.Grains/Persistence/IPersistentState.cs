namespace Banyan.Grains;

/// <summary>
/// A piece of grain state kept in a named storage provider (as Orleans' <c>IPersistentState&lt;T&gt;</c>).
/// It is read before <see cref="Grain.OnActivateAsync"/>; writes are explicit.
/// </summary>
/// <typeparam name="TState">A protobuf message or a JSON-serializable class with a parameterless constructor.</typeparam>
public interface IPersistentState<TState>
{
    /// <summary>The state; a new instance when no record exists.</summary>
    TState State { get; set; }

    /// <summary>The version of the stored record this state was read from or last written as; null when none exists.</summary>
    string? Etag { get; }

    /// <summary>Whether a stored record exists.</summary>
    bool RecordExists { get; }

    /// <summary>Re-reads the state from storage.</summary>
    Task ReadStateAsync();

    /// <summary>Writes the state; raises <see cref="InconsistentStateException"/> when the stored record changed since it was read.</summary>
    Task WriteStateAsync();

    /// <summary>Deletes the stored record and resets <see cref="State"/> to a new instance.</summary>
    Task ClearStateAsync();
}

/// <summary>Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/> to be filled by the runtime.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="stateName">Name of the state within the grain (part of the storage key).</param>
    /// <param name="storageName">Name of the storage provider; null for the provider named "Default".</param>
    public PersistentStateAttribute(string stateName, string? storageName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        StateName = stateName;
        StorageName = storageName;
    }

    /// <summary>Name of the state within the grain.</summary>
    public string StateName { get; }

    /// <summary>Name of the storage provider; null for "Default".</summary>
    public string? StorageName { get; }
}

/// <summary>The state record a storage provider reads and writes.</summary>
public interface IGrainState<T>
{
    /// <summary>The state.</summary>
    T State { get; set; }

    /// <summary>Version of the stored record; null when none exists.</summary>
    string? ETag { get; set; }

    /// <summary>Whether a stored record exists.</summary>
    bool RecordExists { get; set; }
}

/// <summary>A grain storage provider (as Orleans' <c>IGrainStorage</c>), registered by name.</summary>
public interface IGrainStorage
{
    /// <summary>Reads the record into <paramref name="grainState"/>; leaves it at a new state with no ETag when none exists.</summary>
    Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState);

    /// <summary>Writes the record if its stored ETag equals <paramref name="grainState"/>'s ETag, then sets the new ETag.</summary>
    Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState);

    /// <summary>Deletes the record if its stored ETag equals <paramref name="grainState"/>'s ETag.</summary>
    Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState);
}

/// <summary>The stored record changed since this activation read it (another writer won); re-read and retry.</summary>
public sealed class InconsistentStateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InconsistentStateException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public InconsistentStateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InconsistentStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming both versions.</summary>
    public InconsistentStateException(string message, string? storedEtag, string? currentEtag)
        : base($"{message} Stored ETag: {storedEtag ?? "(none)"}, this activation's ETag: {currentEtag ?? "(none)"}.")
    {
        StoredEtag = storedEtag;
        CurrentEtag = currentEtag;
    }

    /// <summary>The ETag found in storage.</summary>
    public string? StoredEtag { get; }

    /// <summary>The ETag the writer expected.</summary>
    public string? CurrentEtag { get; }
}
