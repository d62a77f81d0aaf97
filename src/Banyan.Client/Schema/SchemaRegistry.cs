using Banyan.GrainInterfaces.Schema;
using Google.Protobuf;

namespace Banyan.Client.Schema;

/// <summary>
/// The schemas of one kind that live in a group (streams, measures, index rules, index rule bindings, TopN
/// aggregations) over the catalog grain, <see cref="IMetadataGrain"/>, with BanyanDB's messages. Errors are the
/// catalog's: <see cref="SchemaValidationException"/> (the field and the reason), <see cref="SchemaNotFoundException"/>,
/// <see cref="SchemaAlreadyExistsException"/>.
/// </summary>
/// <typeparam name="TSchema">The schema message, e.g. <c>database.v1.Measure</c>.</typeparam>
public sealed class SchemaRegistry<TSchema>
    where TSchema : class, IMessage
{
    private readonly IGrainFactory _grains;

    internal SchemaRegistry(IGrainFactory grains, SchemaKind kind)
    {
        _grains = grains;
        Kind = kind;
    }

    /// <summary>The kind of schema.</summary>
    public SchemaKind Kind { get; }

    private IMetadataGrain Catalog => _grains.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);

    /// <summary>Creates <paramref name="schema"/>; returns its revision (<c>create_revision</c> and <c>mod_revision</c>).</summary>
    /// <exception cref="SchemaValidationException">The schema is invalid.</exception>
    /// <exception cref="SchemaAlreadyExistsException">One of that group and name exists.</exception>
    public Task<long> CreateAsync(TSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Catalog.Create(schema).WaitAsync(cancellationToken);
    }

    /// <summary>Replaces the schema of the same group and name; returns its new <c>mod_revision</c> (unchanged when nothing changed).</summary>
    /// <exception cref="SchemaValidationException">The schema is invalid, or changes what may not change.</exception>
    /// <exception cref="SchemaNotFoundException">No such schema.</exception>
    public Task<long> UpdateAsync(TSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Catalog.Update(schema).WaitAsync(cancellationToken);
    }

    /// <summary>The stored schema, with the revisions and times the server set.</summary>
    /// <exception cref="SchemaNotFoundException">No such schema.</exception>
    public async Task<TSchema> GetAsync(string group, string name, CancellationToken cancellationToken = default)
    {
        IMessage schema = await Catalog.Get(KeyOf(group, name)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return schema as TSchema
            ?? throw new InvalidOperationException($"The catalog answered a {schema.Descriptor.FullName} for {KeyOf(group, name)}; this is a bug in the catalog.");
    }

    /// <summary>The schemas of this kind in <paramref name="group"/>, sorted by name (none when the group does not exist).</summary>
    /// <exception cref="SchemaValidationException"><paramref name="group"/> is empty.</exception>
    public async Task<IReadOnlyList<TSchema>> ListAsync(string group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return [.. (await Catalog.List(Kind, group).WaitAsync(cancellationToken).ConfigureAwait(false)).Cast<TSchema>()];
    }

    /// <summary>Deletes the schema; false when there was none (as BanyanDB answers <c>deleted: false</c>).</summary>
    public async Task<bool> DeleteAsync(string group, string name, CancellationToken cancellationToken = default)
        => (await Catalog.Delete(KeyOf(group, name)).WaitAsync(cancellationToken).ConfigureAwait(false)).Deleted;

    /// <summary>Whether the group exists and whether the schema exists in it (BanyanDB's <c>Exist</c>: <c>has_group</c>, <c>has_…</c>).</summary>
    public Task<SchemaExistence> ExistAsync(string group, string name, CancellationToken cancellationToken = default)
        => Catalog.Exist(KeyOf(group, name)).WaitAsync(cancellationToken);

    private SchemaKey KeyOf(string group, string name)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(name);
        return SchemaKey.For(Kind, group, name);
    }
}
