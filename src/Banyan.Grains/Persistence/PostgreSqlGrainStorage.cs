using System.Globalization;
using Npgsql;

namespace Banyan.Grains;

/// <summary>Options of <see cref="PostgreSqlGrainStorage"/>.</summary>
public sealed class PostgreSqlGrainStorageOptions
{
    /// <summary>Npgsql connection string.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Service id stored with each row, so several services can share a table.</summary>
    public string ServiceId { get; set; } = "dev";

    /// <summary>Create the table when it is missing (default true).</summary>
    public bool CreateTable { get; set; } = true;
}

/// <summary>
/// Grain storage in PostgreSQL for clusters: table <c>banyan_grain_state</c>, one row per
/// (service, grain type, grain key, state name), with the ETag as a version column. Writes and
/// clears are conditional on the version, so concurrent writers from any silo are detected and
/// the loser gets <see cref="InconsistentStateException"/>.
/// </summary>
public sealed class PostgreSqlGrainStorage : IGrainStorage, IAsyncDisposable
{
    private const string Table = "banyan_grain_state";
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgreSqlGrainStorageOptions _options;
    private readonly SemaphoreSlim _init = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Creates the provider.</summary>
    public PostgreSqlGrainStorage(PostgreSqlGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("PostgreSqlGrainStorageOptions.ConnectionString is empty; set it to an Npgsql connection string.", nameof(options));
        }

        _options = options;
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    }

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await EnsureTableAsync().ConfigureAwait(false);
        await using NpgsqlCommand command = _dataSource.CreateCommand(
            $"SELECT version, payload FROM {Table} WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4");
        AddKey(command, stateName, grainId);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        if (await reader.ReadAsync().ConfigureAwait(false))
        {
            long version = reader.GetInt64(0);
            byte[] payload = (byte[])reader.GetValue(1);
            grainState.State = StateSerializer.Deserialize<T>(payload, $"row {Table}({_options.ServiceId}, {grainId}, {stateName})");
            grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = StateSerializer.CreateDefault<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await EnsureTableAsync().ConfigureAwait(false);
        byte[] payload = StateSerializer.Serialize(grainState.State);
        long? expected = ParseEtag(grainState.ETag, grainId, stateName);
        NpgsqlCommand command = expected is null
            ? _dataSource.CreateCommand($"INSERT INTO {Table} (service_id, grain_type, grain_key, state_name, version, payload) VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT DO NOTHING RETURNING version")
            : _dataSource.CreateCommand($"UPDATE {Table} SET version = version + 1, payload = $5 WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4 AND version = $6 RETURNING version");
        await using (command.ConfigureAwait(false))
        {
            AddKey(command, stateName, grainId);
            command.Parameters.Add(new NpgsqlParameter { Value = payload });
            if (expected is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = expected.Value });
            }

            object? result = await command.ExecuteScalarAsync().ConfigureAwait(false);
            if (result is not long version)
            {
                throw await ConflictAsync(stateName, grainId, grainState.ETag).ConfigureAwait(false);
            }

            grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
    }

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await EnsureTableAsync().ConfigureAwait(false);
        long? expected = ParseEtag(grainState.ETag, grainId, stateName);
        if (expected is null)
        {
            // Nothing to delete, but a record written meanwhile is still a conflict.
            if (await ReadVersionAsync(stateName, grainId).ConfigureAwait(false) is not null)
            {
                throw await ConflictAsync(stateName, grainId, null).ConfigureAwait(false);
            }
        }
        else
        {
            await using NpgsqlCommand command = _dataSource.CreateCommand(
                $"DELETE FROM {Table} WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4 AND version = $5");
            AddKey(command, stateName, grainId);
            command.Parameters.Add(new NpgsqlParameter { Value = expected.Value });
            if (await command.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
            {
                throw await ConflictAsync(stateName, grainId, grainState.ETag).ConfigureAwait(false);
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _init.Dispose();
    }

    private void AddKey(NpgsqlCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = _options.ServiceId });
        command.Parameters.Add(new NpgsqlParameter { Value = grainId.Type });
        command.Parameters.Add(new NpgsqlParameter { Value = grainId.Key });
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
    }

    private async Task<long?> ReadVersionAsync(string stateName, GrainId grainId)
    {
        await using NpgsqlCommand command = _dataSource.CreateCommand(
            $"SELECT version FROM {Table} WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4");
        AddKey(command, stateName, grainId);
        return await command.ExecuteScalarAsync().ConfigureAwait(false) as long?;
    }

    private async Task<InconsistentStateException> ConflictAsync(string stateName, GrainId grainId, string? etag)
    {
        long? stored = await ReadVersionAsync(stateName, grainId).ConfigureAwait(false);
        return new InconsistentStateException($"State '{stateName}' of grain {grainId} was changed by another writer.", stored?.ToString(CultureInfo.InvariantCulture), etag);
    }

    private static long? ParseEtag(string? etag, GrainId grainId, string stateName)
    {
        if (etag is null)
        {
            return null;
        }

        return long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out long version)
            ? version
            : throw new InconsistentStateException($"ETag '{etag}' of state '{stateName}' of grain {grainId} was not issued by the PostgreSQL provider.", null, etag);
    }

    private async Task EnsureTableAsync()
    {
        if (_initialized || !_options.CreateTable)
        {
            return;
        }

        await _init.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await using NpgsqlCommand command = _dataSource.CreateCommand(
                    $"CREATE TABLE IF NOT EXISTS {Table} (service_id text NOT NULL, grain_type text NOT NULL, grain_key text NOT NULL, state_name text NOT NULL, version bigint NOT NULL, payload bytea NOT NULL, PRIMARY KEY (service_id, grain_type, grain_key, state_name))");
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _init.Release();
        }
    }
}
