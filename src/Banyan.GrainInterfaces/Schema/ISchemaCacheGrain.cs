namespace Banyan.GrainInterfaces.Schema;

/// <summary>
/// The schema cache of one silo (key: the silo's node name; activated only on that silo). The metadata grain
/// pushes each catalog change through it into the silo-local cache that write and query code reads without a
/// grain call.
/// </summary>
[Alias("banyan.ISchemaCacheGrain")]
public interface ISchemaCacheGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies <paramref name="change"/> when the cache is at its <see cref="SchemaChange.PreviousRevision"/>.
    /// Returns false when the cache is at another revision (it missed a change, or has not loaded yet): the
    /// caller then sends the whole catalog with <see cref="Load"/>. A change the cache already has is
    /// acknowledged with true and ignored.
    /// </summary>
    [Alias("Apply")]
    Task<bool> Apply(SchemaChange change);

    /// <summary>Replaces the cache with <paramref name="snapshot"/> unless the cache is already at a later revision.</summary>
    [Alias("Load")]
    Task Load(SchemaCatalogSnapshot snapshot);

    /// <summary>The revision of the silo's cache; -1 before it loaded the catalog.</summary>
    [Alias("GetRevision")]
    Task<long> GetRevision();
}
