using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Client.Schema;

/// <summary>
/// Groups (<c>common.v1.Group</c>) over the catalog grain, <see cref="IMetadataGrain"/>: what BanyanDB's
/// <c>GroupRegistryService</c> does. Errors are the catalog's, as for <see cref="SchemaRegistry{TSchema}"/>.
/// </summary>
public sealed class GroupRegistry
{
    private readonly IGrainFactory _grains;

    internal GroupRegistry(IGrainFactory grains) => _grains = grains;

    private IMetadataGrain Catalog => _grains.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);

    /// <summary>Creates <paramref name="group"/>; returns its revision.</summary>
    /// <exception cref="SchemaValidationException">The group is invalid (e.g. no <c>resource_opts</c>).</exception>
    /// <exception cref="SchemaAlreadyExistsException">A group of that name exists.</exception>
    public Task<long> CreateAsync(Group group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return Catalog.Create(group).WaitAsync(cancellationToken);
    }

    /// <summary>Replaces the group of the same name; returns its new <c>mod_revision</c>.</summary>
    /// <exception cref="SchemaValidationException">The group is invalid, or changes what may not change.</exception>
    /// <exception cref="SchemaNotFoundException">No such group.</exception>
    public Task<long> UpdateAsync(Group group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return Catalog.Update(group).WaitAsync(cancellationToken);
    }

    /// <summary>The stored group.</summary>
    /// <exception cref="SchemaNotFoundException">No such group.</exception>
    public async Task<Group> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return (Group)await Catalog.Get(SchemaKey.ForGroup(name)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every group, sorted by name.</summary>
    public async Task<IReadOnlyList<Group>> ListAsync(CancellationToken cancellationToken = default)
        => [.. (await Catalog.List(SchemaKind.Group, string.Empty).WaitAsync(cancellationToken).ConfigureAwait(false)).Cast<Group>()];

    /// <summary>
    /// Deletes the group, every schema in it (in one revision) and its data; with <paramref name="dryRun"/> only reports
    /// what it holds. <see cref="SchemaDeletion.Contents"/> names the schemas. Unlike BanyanDB's gRPC <c>Delete</c>, a
    /// group that holds data is deleted without asking for force.
    /// </summary>
    /// <exception cref="SchemaNotFoundException">No such group.</exception>
    public Task<SchemaDeletion> DeleteAsync(string name, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Catalog.DeleteGroup(name, dryRun).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes the group's data and keeps its schemas (BanyanDB's <c>data_only</c>): the group becomes a new incarnation
    /// of itself (a new <c>create_revision</c>, everything else unchanged), so no query sees the data written before and
    /// new writes land at once. <see cref="SchemaDeletion.Contents"/> is null.
    /// </summary>
    /// <exception cref="SchemaNotFoundException">No such group.</exception>
    public Task<SchemaDeletion> DeleteDataAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Catalog.DeleteGroupData(name).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The group's last deletion (BanyanDB's <c>GroupRegistryService/Query</c>): finished when its delete call returned,
    /// <c>PHASE_COMPLETED</c> with what it deleted by kind, or <c>PHASE_FAILED</c> with the reason; null when the group
    /// was never deleted. Kept across restarts; a later deletion of the same name replaces it.
    /// </summary>
    public Task<Api.Database.V1.GroupDeletionTask?> GetDeletionTaskAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _grains.GetGrain<GrainInterfaces.Groups.IGroupDeletionTaskGrain>(name).Get().WaitAsync(cancellationToken);
    }

    /// <summary>Whether the group exists.</summary>
    public async Task<bool> ExistAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return (await Catalog.Exist(SchemaKey.ForGroup(name)).WaitAsync(cancellationToken).ConfigureAwait(false)).HasGroup;
    }
}
