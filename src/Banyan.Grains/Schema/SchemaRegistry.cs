using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema.Validation;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Schema;

/// <summary>The outcome of a catalog operation: the catalog after it, and the change to publish (null when nothing changed).</summary>
/// <param name="Next">The catalog after the operation.</param>
/// <param name="Change">The change, or null when the catalog is unchanged.</param>
public sealed record SchemaEdit(SchemaCatalog Next, SchemaChange? Change);

/// <summary>
/// BanyanDB's registry operations on an immutable <see cref="SchemaCatalog"/>: validation, revisions and
/// timestamps, without storage or messaging (the metadata grain persists and publishes what these return), so
/// every rule is testable without a cluster.
/// </summary>
/// <remarks>
/// Revisions: the catalog has one counter; a change takes <c>catalog.Revision + 1</c> and stamps it into the
/// changed schema's <c>metadata.mod_revision</c> (and <c>create_revision</c> on creation, kept by updates). BanyanDB
/// stamps the wall clock in nanoseconds (<c>banyand/metadata/schema/property/client.go</c>); a counter keeps the
/// property clients rely on (it only grows, per schema and across the catalog) without depending on clocks.
/// <c>updated_at</c> is set to now on every change and <c>created_at</c> on creation (when the request has none)
/// and kept by updates, as BanyanDB does. Index rules without an id get BanyanDB's
/// <c>crc32.ChecksumIEEE(group + name)</c> (<c>generateCRC32ID</c>).
/// </remarks>
public static class SchemaRegistry
{
    /// <summary>Creates <paramref name="schema"/>; the change's revision is its <c>mod_revision</c>.</summary>
    /// <exception cref="SchemaValidationException">The schema is invalid.</exception>
    /// <exception cref="SchemaAlreadyExistsException">It exists.</exception>
    public static SchemaEdit Create(SchemaCatalog catalog, IMessage schema, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        SchemaKind kind = KindOf(schema);
        IMessage stored = SchemaStamps.Clone(schema);
        if (stored is IndexRule { Metadata: { Id: 0 } ruleMetadata })
        {
            ruleMetadata.Id = IndexRuleId(ruleMetadata.Group, ruleMetadata.Name);
        }

        Validate(kind, stored, catalog);
        SchemaKey key = SchemaKinds.KeyOf(stored);
        if (catalog.Contains(key))
        {
            throw new SchemaAlreadyExistsException(key);
        }

        long revision = catalog.Revision + 1;
        Metadata metadata = SchemaKinds.MetadataOf(stored)!;
        metadata.CreateRevision = revision;
        metadata.ModRevision = revision;
        Timestamp stamp = Timestamp.FromDateTimeOffset(now);
        SchemaStamps.Set(stored, stamp, SchemaStamps.CreatedAt(stored) ?? stamp);
        return Commit(catalog, new SchemaChange(catalog.Revision, revision, [stored], []));
    }

    /// <summary>
    /// Replaces the stored schema with <paramref name="schema"/>; returns the edit and the schema's <c>mod_revision</c>
    /// afterwards (unchanged, with no change, when the update changes nothing but server-set fields).
    /// </summary>
    /// <exception cref="SchemaValidationException">The schema is invalid or changes what may not change.</exception>
    /// <exception cref="SchemaNotFoundException">It does not exist.</exception>
    public static (SchemaEdit Edit, long ModRevision) Update(SchemaCatalog catalog, IMessage schema, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        SchemaKind kind = KindOf(schema);
        IMessage stored = SchemaStamps.Clone(schema);
        if (stored is IndexRule { Metadata: { Id: 0 } ruleMetadata }
            && catalog.TryGetIndexRule(ruleMetadata.Group, ruleMetadata.Name, out IndexRule? existingRule))
        {
            ruleMetadata.Id = existingRule.Metadata.Id;
        }

        Dictionary<string, TagInfo>? tags = Validate(kind, stored, catalog);
        SchemaKey key = SchemaKinds.KeyOf(stored);
        if (!catalog.TryGet(key, out IMessage? previous))
        {
            throw new SchemaNotFoundException(key);
        }

        switch (previous, stored)
        {
            case (Group before, Group after):
                SchemaUpdateRules.CheckGroup(before, after);
                break;
            case (StreamSchema before, StreamSchema after):
                SchemaUpdateRules.CheckStream(catalog, before, after, tags!);
                break;
            case (Measure before, Measure after):
                SchemaUpdateRules.CheckMeasure(catalog, before, after, tags!);
                break;
        }

        Metadata old = SchemaKinds.MetadataOf(previous)!;
        if (SchemaStamps.SameContent(previous, stored))
        {
            return (new SchemaEdit(catalog, null), old.ModRevision);
        }

        long revision = catalog.Revision + 1;
        Metadata metadata = SchemaKinds.MetadataOf(stored)!;
        metadata.CreateRevision = old.CreateRevision;
        metadata.ModRevision = revision;
        SchemaStamps.Set(stored, Timestamp.FromDateTimeOffset(now), SchemaStamps.CreatedAt(previous));
        return (Commit(catalog, new SchemaChange(catalog.Revision, revision, [stored], [])), revision);
    }

    /// <summary>
    /// Deletes a schema other than a group. One that does not exist is not an error: the answer says nothing was
    /// deleted (BanyanDB's <c>broadcastDelete</c> answers <c>found = false</c>).
    /// </summary>
    /// <exception cref="SchemaValidationException">The key lacks a group or a name.</exception>
    public static (SchemaEdit Edit, SchemaDeletion Deletion) Delete(SchemaCatalog catalog, SchemaKey key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (key.Kind == SchemaKind.Group)
        {
            throw new ArgumentException("Groups are deleted with DeleteGroup; this is a bug in the caller.", nameof(key));
        }

        RequireKey(key);
        if (!catalog.Contains(key))
        {
            return (new SchemaEdit(catalog, null), new SchemaDeletion(false, 0, catalog.Revision, null));
        }

        SchemaEdit edit = Commit(catalog, new SchemaChange(catalog.Revision, catalog.Revision + 1, [], [key]));
        return (edit, new SchemaDeletion(true, UnixNanos(now), edit.Next.Revision, null));
    }

    /// <summary>
    /// Deletes a group with every schema in it, in one change (BanyanDB deletes the group's bindings, rules, streams,
    /// measures and TopN aggregations, then the group); <paramref name="dryRun"/> only reports its contents.
    /// </summary>
    /// <exception cref="SchemaValidationException">The group name is empty.</exception>
    /// <exception cref="SchemaNotFoundException">The group does not exist.</exception>
    public static (SchemaEdit Edit, SchemaDeletion Deletion) DeleteGroup(SchemaCatalog catalog, string group, bool dryRun, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (string.IsNullOrEmpty(group))
        {
            throw new SchemaValidationException("group", "is required (the name of the group to delete)");
        }

        if (!catalog.TryGetGroup(group, out _))
        {
            throw new SchemaNotFoundException(SchemaKey.ForGroup(group));
        }

        GroupContents contents = new(
            catalog.NamesIn(SchemaKind.Stream, group),
            catalog.NamesIn(SchemaKind.Measure, group),
            catalog.NamesIn(SchemaKind.IndexRule, group),
            catalog.NamesIn(SchemaKind.IndexRuleBinding, group),
            catalog.NamesIn(SchemaKind.TopNAggregation, group));
        if (dryRun)
        {
            return (new SchemaEdit(catalog, null), new SchemaDeletion(false, 0, catalog.Revision, contents));
        }

        ImmutableArray<SchemaKey> deletions = [.. catalog.KeysIn(group), SchemaKey.ForGroup(group)];
        SchemaEdit edit = Commit(catalog, new SchemaChange(catalog.Revision, catalog.Revision + 1, [], deletions));
        return (edit, new SchemaDeletion(true, UnixNanos(now), edit.Next.Revision, contents));
    }

    /// <summary>
    /// The edit that makes <paramref name="group"/> a new incarnation of itself for a data-only deletion: the group with a
    /// new <c>create_revision</c> and <c>mod_revision</c> (the next revision) and <c>updated_at</c> now, its settings and
    /// the other schemas of the group unchanged. Data is kept by incarnation (<c>create_revision</c>), so the data of the
    /// old one is no longer read, and is dropped by the group grain.
    /// </summary>
    /// <exception cref="SchemaValidationException">The group name is empty.</exception>
    /// <exception cref="SchemaNotFoundException">The group does not exist.</exception>
    public static (SchemaEdit Edit, SchemaDeletion Deletion) DeleteGroupData(SchemaCatalog catalog, string group, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (string.IsNullOrEmpty(group))
        {
            throw new SchemaValidationException("group", "is required (the name of the group whose data to delete)");
        }

        if (!catalog.TryGetGroup(group, out Group? existing))
        {
            throw new SchemaNotFoundException(SchemaKey.ForGroup(group));
        }

        long revision = catalog.Revision + 1;
        Group renewed = (Group)SchemaStamps.Clone(existing);
        renewed.Metadata.CreateRevision = revision;
        renewed.Metadata.ModRevision = revision;
        SchemaStamps.Set(renewed, Timestamp.FromDateTimeOffset(now), SchemaStamps.CreatedAt(existing));
        SchemaEdit edit = Commit(catalog, new SchemaChange(catalog.Revision, revision, [renewed], []));
        return (edit, new SchemaDeletion(true, UnixNanos(now), revision, null));
    }

    /// <summary>The stored schema.</summary>
    /// <exception cref="SchemaValidationException">The key lacks a group or a name.</exception>
    /// <exception cref="SchemaNotFoundException">It does not exist.</exception>
    public static IMessage Get(SchemaCatalog catalog, SchemaKey key)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        RequireKey(key);
        return catalog.TryGet(key, out IMessage? schema) ? schema : throw new SchemaNotFoundException(key);
    }

    /// <summary>The schemas of a kind in a group (every group for groups); a group that does not exist has none, as in BanyanDB.</summary>
    /// <exception cref="SchemaValidationException"><paramref name="group"/> is empty for a kind other than groups (BanyanDB: <c>group should not be empty</c>).</exception>
    public static ImmutableArray<IMessage> List(SchemaCatalog catalog, SchemaKind kind, string? group)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (kind != SchemaKind.Group && string.IsNullOrEmpty(group))
        {
            throw new SchemaValidationException("group", "is required (the group to list)");
        }

        return catalog.List(kind, group);
    }

    /// <summary>Whether the group of <paramref name="key"/> and the schema exist (BanyanDB's <c>Exist</c>: <c>has_group</c>, <c>has_&lt;kind&gt;</c>).</summary>
    /// <exception cref="SchemaValidationException">The key lacks a group or a name.</exception>
    public static SchemaExistence Exist(SchemaCatalog catalog, SchemaKey key)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        RequireKey(key);
        bool hasGroup = catalog.TryGetGroup(key.Group, out _);
        return new SchemaExistence(hasGroup, hasGroup && catalog.Contains(key));
    }

    /// <summary>BanyanDB's id for an index rule without one: CRC-32 (IEEE) of the UTF-8 group name followed by the name.</summary>
    public static uint IndexRuleId(string group, string name) => Crc32.HashToUInt32(Encoding.UTF8.GetBytes(group + name));

    /// <summary>Validates a schema of <paramref name="kind"/> against <paramref name="catalog"/>; returns the tags of a stream or measure.</summary>
    internal static Dictionary<string, TagInfo>? Validate(SchemaKind kind, IMessage schema, SchemaCatalog catalog)
    {
        switch (kind)
        {
            case SchemaKind.Group:
                GroupValidator.Validate((Group)schema);
                return null;
            case SchemaKind.Stream:
                return StreamValidator.Validate((StreamSchema)schema, catalog);
            case SchemaKind.Measure:
                return MeasureValidator.Validate((Measure)schema, catalog);
            case SchemaKind.IndexRule:
                IndexRuleValidator.Validate((IndexRule)schema, catalog);
                return null;
            case SchemaKind.IndexRuleBinding:
                IndexRuleBindingValidator.Validate((IndexRuleBinding)schema, catalog);
                return null;
            case SchemaKind.TopNAggregation:
                TopNAggregationValidator.Validate((TopNAggregation)schema, catalog);
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a schema kind.");
        }
    }

    private static SchemaKind KindOf(IMessage schema) =>
        schema is null ? throw new SchemaValidationException("schema", "is required") : SchemaKinds.Of(schema);

    private static void RequireKey(SchemaKey key)
    {
        if (string.IsNullOrEmpty(key.Group))
        {
            throw new SchemaValidationException(key.Kind == SchemaKind.Group ? "group" : "metadata.group", "is required");
        }

        if (string.IsNullOrEmpty(key.Name))
        {
            throw new SchemaValidationException(key.Kind == SchemaKind.Group ? "group" : "metadata.name", "is required");
        }
    }

    private static SchemaEdit Commit(SchemaCatalog catalog, SchemaChange change) => new(catalog.Apply(change), change);

    private static long UnixNanos(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
