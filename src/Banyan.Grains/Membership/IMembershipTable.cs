namespace Banyan.Grains;

/// <summary>Status of a silo in the membership table.</summary>
public enum SiloStatus
{
    /// <summary>Running and serving.</summary>
    Active = 3,

    /// <summary>Stopped gracefully.</summary>
    Stopped = 5,

    /// <summary>Declared dead by another silo, or killed.</summary>
    Dead = 6,
}

/// <summary>One row of the membership table.</summary>
/// <param name="Silo">The silo incarnation.</param>
/// <param name="Status">Its status.</param>
/// <param name="IAmAliveTime">When it last wrote its heartbeat.</param>
public sealed record MembershipEntry(SiloAddress Silo, SiloStatus Status, DateTimeOffset IAmAliveTime);

/// <summary>
/// The shared membership table (as Orleans' <c>IMembershipTable</c>, reduced to what this runtime
/// uses): silos insert themselves, update their status, and declare others dead.
/// </summary>
public interface IMembershipTable
{
    /// <summary>All rows of the cluster.</summary>
    Task<IReadOnlyList<MembershipEntry>> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the row of <paramref name="entry"/>'s silo; a Dead row is never revived.</summary>
    Task UpsertAsync(MembershipEntry entry, CancellationToken cancellationToken);
}

/// <summary>A membership table kept in memory: for one embedded silo, or shared by the silos of a test cluster in one process.</summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SiloAddress, MembershipEntry> _rows = [];

    /// <inheritdoc/>
    public Task<IReadOnlyList<MembershipEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<MembershipEntry>>([.. _rows.Values]);
        }
    }

    /// <inheritdoc/>
    public Task UpsertAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            if (!_rows.TryGetValue(entry.Silo, out MembershipEntry? existing) || existing.Status != SiloStatus.Dead)
            {
                _rows[entry.Silo] = entry;
            }
        }

        return Task.CompletedTask;
    }
}
