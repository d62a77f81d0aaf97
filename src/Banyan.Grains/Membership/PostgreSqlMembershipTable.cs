using Npgsql;

namespace Banyan.Grains;

/// <summary>
/// The membership table in PostgreSQL (table <c>banyan_membership</c>), for clusters: every silo
/// and client of a cluster id reads the same rows. A row marked Dead is never revived (a restarted
/// silo is a new incarnation with a new generation, hence a new row).
/// </summary>
public sealed class PostgreSqlMembershipTable : IMembershipTable, IAsyncDisposable
{
    private const string Table = "banyan_membership";
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _clusterId;
    private readonly SemaphoreSlim _init = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Creates the table client.</summary>
    public PostgreSqlMembershipTable(string connectionString, string clusterId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _clusterId = clusterId;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<MembershipEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = _dataSource.CreateCommand($"SELECT silo, status, i_am_alive FROM {Table} WHERE cluster_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        List<MembershipEntry> rows = [];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new MembershipEntry(SiloAddress.Parse(reader.GetString(0)), (SiloStatus)reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return rows;
    }

    /// <inheritdoc/>
    public async Task UpsertAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = _dataSource.CreateCommand(
            $"INSERT INTO {Table} (cluster_id, silo, status, i_am_alive) VALUES ($1, $2, $3, $4) " +
            $"ON CONFLICT (cluster_id, silo) DO UPDATE SET status = EXCLUDED.status, i_am_alive = EXCLUDED.i_am_alive WHERE {Table}.status <> {(int)SiloStatus.Dead}");
        command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.Silo.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = (int)entry.Status });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.IAmAliveTime.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _init.Dispose();
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _init.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await using NpgsqlCommand command = _dataSource.CreateCommand(
                    $"CREATE TABLE IF NOT EXISTS {Table} (cluster_id text NOT NULL, silo text NOT NULL, status integer NOT NULL, i_am_alive timestamptz NOT NULL, PRIMARY KEY (cluster_id, silo))");
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _init.Release();
        }
    }
}
