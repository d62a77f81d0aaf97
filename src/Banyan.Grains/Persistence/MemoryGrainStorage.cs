using System.Globalization;

namespace Banyan.Grains;

/// <summary>Grain storage in memory, with the same ETag rules as the durable providers (tests; state dies with the process).</summary>
public sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string, GrainId), (long Version, byte[] Payload)> _records = [];

    /// <inheritdoc/>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        lock (_lock)
        {
            if (_records.TryGetValue((stateName, grainId), out (long Version, byte[] Payload) record))
            {
                grainState.State = StateSerializer.Deserialize<T>(record.Payload, $"memory record {grainId}/{stateName}");
                grainState.ETag = record.Version.ToString(CultureInfo.InvariantCulture);
                grainState.RecordExists = true;
            }
            else
            {
                grainState.State = StateSerializer.CreateDefault<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        lock (_lock)
        {
            long stored = Check(stateName, grainId, grainState.ETag);
            _records[(stateName, grainId)] = (stored + 1, StateSerializer.Serialize(grainState.State));
            grainState.ETag = (stored + 1).ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        lock (_lock)
        {
            Check(stateName, grainId, grainState.ETag);
            _records.Remove((stateName, grainId));
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    private long Check(string stateName, GrainId grainId, string? etag)
    {
        string? stored = _records.TryGetValue((stateName, grainId), out (long Version, byte[] Payload) record) ? record.Version.ToString(CultureInfo.InvariantCulture) : null;
        if (!string.Equals(stored, etag, StringComparison.Ordinal))
        {
            throw new InconsistentStateException($"State '{stateName}' of grain {grainId} was changed by another writer.", stored, etag);
        }

        return stored is null ? 0 : record.Version;
    }
}
