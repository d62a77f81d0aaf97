using System.Collections.Immutable;
using Google.Protobuf;
using Orleans.Concurrency;

namespace Banyan.GrainInterfaces.Schema;

/// <summary>
/// The schema catalog of the cluster (one grain, key <see cref="CatalogKey"/>): groups, streams, measures,
/// index rules, index rule bindings and TopN aggregations, BanyanDB's <c>common.v1</c>/<c>database.v1</c>
/// messages, persisted through the grain storage provider. Every change gets the next catalog revision
/// (one counter for the whole catalog, starting at 1), stamped into the schema's
/// <c>metadata.mod_revision</c> (and <c>create_revision</c> on creation), and returns only after every
/// active silo's schema cache has applied it (a silo that does not answer in time is logged and skipped;
/// it reloads the catalog when it starts).
/// </summary>
/// <remarks>
/// Schemas are passed as the protobuf messages themselves (<see cref="IMessage"/>: <c>common.v1.Group</c>,
/// <c>database.v1.Stream</c>, <c>Measure</c>, <c>IndexRule</c>, <c>IndexRuleBinding</c>,
/// <c>TopNAggregation</c>); the kind is the message's type. Reads interleave with a change in progress
/// and see the catalog before or after it, never half of it.
/// Errors: <see cref="SchemaValidationException"/> (INVALID_ARGUMENT), <see cref="SchemaNotFoundException"/>,
/// <see cref="SchemaAlreadyExistsException"/>, <see cref="SchemaCatalogCorruptionException"/>.
/// </remarks>
[Alias("banyan.IMetadataGrain")]
public interface IMetadataGrain : IGrainWithStringKey
{
    /// <summary>The key of the one metadata grain.</summary>
    const string CatalogKey = "schema";

    /// <summary>Creates a schema; returns its revision (its <c>create_revision</c> and <c>mod_revision</c>).</summary>
    /// <exception cref="SchemaValidationException">The schema is invalid; the field and the reason are named.</exception>
    /// <exception cref="SchemaAlreadyExistsException">A schema of that kind, group and name exists.</exception>
    [Alias("Create")]
    Task<long> Create(IMessage schema);

    /// <summary>
    /// Replaces a schema; returns its new <c>mod_revision</c>. An update that changes nothing (server-set
    /// fields aside) stores nothing and returns the current <c>mod_revision</c>.
    /// </summary>
    /// <exception cref="SchemaValidationException">The schema is invalid, or the update changes what may not change (e.g. an entity).</exception>
    /// <exception cref="SchemaNotFoundException">No such schema.</exception>
    [Alias("Update")]
    Task<long> Update(IMessage schema);

    /// <summary>
    /// Deletes a schema other than a group. Deleting one that does not exist answers
    /// <c>Deleted = false</c>, as BanyanDB does. Nothing else is removed with it (bindings naming a deleted
    /// rule or subject stay, as in BanyanDB).
    /// </summary>
    [Alias("Delete")]
    Task<SchemaDeletion> Delete(SchemaKey key);

    /// <summary>
    /// Deletes a group and every schema in it, in one revision; with <paramref name="dryRun"/> only reports
    /// what it holds. Once every cache has the change, the group grain drops the group's data (<c>IGroupGrain.DropAll</c>;
    /// shards whose silo is down are dropped by its lifecycle later).
    /// </summary>
    /// <exception cref="SchemaNotFoundException">No such group.</exception>
    [Alias("DeleteGroup")]
    Task<SchemaDeletion> DeleteGroup(string group, bool dryRun);

    /// <summary>
    /// Deletes a group's data and keeps its schemas (BanyanDB's <c>data_only</c> deletion): in one revision the group
    /// becomes a new incarnation of itself (a new <c>create_revision</c>, its settings and every schema in it unchanged),
    /// so from the answer on no query sees the data written before and writes go to new segments; the group grain
    /// then drops the old incarnation's segments (those whose owner is down later, by its lifecycle). The answer's
    /// <see cref="SchemaDeletion.Contents"/> is null: no schema is removed.
    /// </summary>
    /// <exception cref="SchemaNotFoundException">No such group.</exception>
    [Alias("DeleteGroupData")]
    Task<SchemaDeletion> DeleteGroupData(string group);

    /// <summary>The stored schema, with its revisions.</summary>
    /// <exception cref="SchemaNotFoundException">No such schema.</exception>
    [AlwaysInterleave]
    [Alias("Get")]
    Task<IMessage> Get(SchemaKey key);

    /// <summary>The schemas of <paramref name="kind"/> in <paramref name="group"/> sorted by name (for groups: every group; <paramref name="group"/> is ignored). A group that does not exist has none.</summary>
    /// <exception cref="SchemaValidationException"><paramref name="group"/> is empty for a kind other than groups.</exception>
    [AlwaysInterleave]
    [Alias("List")]
    Task<ImmutableArray<IMessage>> List(SchemaKind kind, string group);

    /// <summary>Whether the group of <paramref name="key"/> and the schema exist.</summary>
    [AlwaysInterleave]
    [Alias("Exist")]
    Task<SchemaExistence> Exist(SchemaKey key);

    /// <summary>The current catalog revision.</summary>
    [AlwaysInterleave]
    [Alias("GetRevision")]
    Task<long> GetRevision();

    /// <summary>
    /// Called by a silo when it starts: records that <paramref name="nodeName"/>'s cache wants every later
    /// change (even before the membership view here lists the silo as active) and returns the whole catalog.
    /// Not interleaved with changes, so no change falls between the snapshot and the registration.
    /// </summary>
    [Alias("RegisterCache")]
    Task<SchemaCatalogSnapshot> RegisterCache(string nodeName);
}
