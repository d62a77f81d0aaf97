using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.Schema;

/// <summary>
/// This silo's copy of the schema catalog (a singleton per silo): write and query code on the silo read schemas here,
/// without a grain call. The metadata grain pushes every change through the silo's <see cref="ISchemaCacheGrain"/>
/// before the change returns to its caller, so a schema is visible here once its <c>Create</c> or <c>Update</c> has
/// returned anywhere. The silo loads the whole catalog when it starts (<see cref="SchemaCacheLoader"/>), before it serves.
/// </summary>
/// <remarks>
/// Read <see cref="Catalog"/> once per operation and use that snapshot throughout: it is immutable, so a batch sees
/// one consistent revision even while changes arrive. The schema messages in it are shared: do not modify them.
/// </remarks>
public sealed class SchemaCache
{
    private readonly Lock _writer = new();
    private SchemaCatalog? _catalog;

    // Writes waiting for a revision this silo has not reached yet (WaitForRevisionAsync), completed as soon as a change
    // or a load reaches it, under _writer.
    private readonly List<(long Revision, TaskCompletionSource Reached)> _waiters = [];

    /// <summary>The latest catalog this silo has (empty, at revision 0, until it loaded).</summary>
    public SchemaCatalog Catalog => Volatile.Read(ref _catalog) ?? SchemaCatalog.Empty;

    /// <summary>Whether the catalog has been loaded since the silo started.</summary>
    public bool IsLoaded => Volatile.Read(ref _catalog) is not null;

    /// <summary>The revision of <see cref="Catalog"/>; -1 until it loaded.</summary>
    public long Revision => Volatile.Read(ref _catalog)?.Revision ?? -1;

    /// <summary>
    /// Applies <paramref name="change"/> if the cache is at its previous revision; true if applied or already
    /// included, false if the cache is elsewhere (not loaded, or it missed a change) and needs the whole catalog.
    /// </summary>
    public bool TryApply(SchemaChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_writer)
        {
            SchemaCatalog? current = _catalog;
            if (current is null)
            {
                return false;
            }

            if (change.Revision <= current.Revision)
            {
                return true;
            }

            if (change.PreviousRevision != current.Revision)
            {
                return false;
            }

            Publish(current.Apply(change));
            return true;
        }
    }

    /// <summary>Replaces the cache with <paramref name="snapshot"/> unless the cache already has a later revision.</summary>
    public void Load(SchemaCatalogSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        SchemaCatalog loaded = SchemaCatalog.FromSnapshot(snapshot);
        lock (_writer)
        {
            if (_catalog is null || _catalog.Revision <= loaded.Revision)
            {
                Publish(loaded);
            }
        }
    }

    /// <summary>
    /// The catalog once it has reached <paramref name="revision"/> (a client that saw a schema change on another silo
    /// writes with its revision before this silo has it), or after <paramref name="bound"/> the latest one, whatever its
    /// revision. Completes as soon as the change arrives, not at a polling interval.
    /// </summary>
    public async Task<SchemaCatalog> WaitForRevisionAsync(long revision, TimeSpan bound)
    {
        if (Catalog.Revision >= revision || bound <= TimeSpan.Zero)
        {
            return Catalog;
        }

        (long, TaskCompletionSource) waiter = (revision, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_writer)
        {
            if (Catalog.Revision >= revision)
            {
                return Catalog;
            }

            _waiters.Add(waiter);
        }

        try
        {
            // Off the caller's context on purpose: what runs after it here only takes the lock and reads the catalog,
            // and a grain caller's own await returns to its turn.
            await waiter.Item2.Task.WaitAsync(bound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            lock (_writer)
            {
                _waiters.Remove(waiter);
            }
        }

        return Catalog;
    }

    // Installs a newer catalog and completes the waits it satisfies. Under _writer.
    private void Publish(SchemaCatalog catalog)
    {
        Volatile.Write(ref _catalog, catalog);
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Revision <= catalog.Revision)
            {
                _waiters[i].Reached.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
