using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Google.Protobuf;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Schema;

/// <summary>
/// The schema catalog at one revision: immutable, so readers on any thread share it without locks. The
/// metadata grain holds the authoritative one; every silo's <see cref="SchemaCache"/> holds a copy that write
/// and query code reads. A change makes a new catalog (<see cref="Apply"/>).
/// </summary>
/// <remarks>
/// The schema messages are shared by every reader of the catalog: treat them as read-only (protobuf messages
/// cannot be frozen); clone one before changing it.
/// </remarks>
public sealed class SchemaCatalog
{
    private readonly ImmutableDictionary<SchemaKey, IMessage> _schemas;

    // Derived lookups, computed once per catalog on first use (the catalog never changes).
    private readonly ConcurrentDictionary<(SchemaKind Kind, string Group, string Name), ImmutableArray<IndexRuleBinding>> _bindingsOf = new();
    private readonly ConcurrentDictionary<(string Group, string Measure), ImmutableArray<TopNAggregation>> _topNOf = new();

    private SchemaCatalog(long revision, ImmutableDictionary<SchemaKey, IMessage> schemas)
    {
        Revision = revision;
        _schemas = schemas;
    }

    /// <summary>The empty catalog at revision 0.</summary>
    public static SchemaCatalog Empty { get; } = new(0, ImmutableDictionary<SchemaKey, IMessage>.Empty);

    /// <summary>The catalog revision: the revision of the last change (0 for an empty, never changed catalog).</summary>
    public long Revision { get; }

    /// <summary>How many schemas the catalog holds.</summary>
    public int Count => _schemas.Count;

    /// <summary>Builds a catalog from <paramref name="schemas"/> at <paramref name="revision"/>.</summary>
    /// <exception cref="ArgumentException">A schema has no metadata, or two have the same key.</exception>
    public static SchemaCatalog Create(long revision, IEnumerable<IMessage> schemas)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        ArgumentNullException.ThrowIfNull(schemas);
        ImmutableDictionary<SchemaKey, IMessage>.Builder builder = ImmutableDictionary.CreateBuilder<SchemaKey, IMessage>();
        foreach (IMessage schema in schemas)
        {
            SchemaKey key = SchemaKinds.KeyOf(schema);
            if (builder.ContainsKey(key))
            {
                throw new ArgumentException($"The catalog holds {key} twice.", nameof(schemas));
            }

            builder.Add(key, schema);
        }

        return new SchemaCatalog(revision, builder.ToImmutable());
    }

    /// <summary>A catalog from a snapshot received from the metadata grain.</summary>
    public static SchemaCatalog FromSnapshot(SchemaCatalogSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Create(snapshot.Revision, snapshot.Schemas.IsDefault ? [] : snapshot.Schemas);
    }

    /// <summary>The whole catalog, groups first, then each kind sorted by group and name.</summary>
    public SchemaCatalogSnapshot ToSnapshot() => new(Revision, [.. Schemas()]);

    /// <summary>Every schema, groups first, then each kind in <see cref="SchemaKinds.All"/> order, sorted by group and name.</summary>
    public IEnumerable<IMessage> Schemas()
    {
        foreach (SchemaKind kind in SchemaKinds.All)
        {
            foreach (KeyValuePair<SchemaKey, IMessage> entry in _schemas.Where(e => e.Key.Kind == kind).OrderBy(e => e.Key.Group, StringComparer.Ordinal).ThenBy(e => e.Key.Name, StringComparer.Ordinal))
            {
                yield return entry.Value;
            }
        }
    }

    /// <summary>The catalog after <paramref name="change"/>.</summary>
    /// <exception cref="InvalidOperationException">The change does not start at this catalog's revision (a bug: changes apply in order).</exception>
    public SchemaCatalog Apply(SchemaChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.PreviousRevision != Revision || change.Revision <= Revision)
        {
            throw new InvalidOperationException($"A change from revision {change.PreviousRevision} to {change.Revision} cannot apply to the catalog at revision {Revision}; this is a bug.");
        }

        ImmutableDictionary<SchemaKey, IMessage>.Builder builder = _schemas.ToBuilder();
        foreach (SchemaKey deleted in change.Deletions.IsDefault ? [] : change.Deletions)
        {
            builder.Remove(deleted);
        }

        foreach (IMessage schema in change.Upserts.IsDefault ? [] : change.Upserts)
        {
            builder[SchemaKinds.KeyOf(schema)] = schema;
        }

        return new SchemaCatalog(change.Revision, builder.ToImmutable());
    }

    /// <summary>Whether the catalog holds <paramref name="key"/>.</summary>
    public bool Contains(SchemaKey key) => _schemas.ContainsKey(key);

    /// <summary>The schema named by <paramref name="key"/>.</summary>
    public bool TryGet(SchemaKey key, [NotNullWhen(true)] out IMessage? schema) => _schemas.TryGetValue(key, out schema);

    /// <summary>The group named <paramref name="name"/>.</summary>
    public bool TryGetGroup(string name, [NotNullWhen(true)] out Group? group) => TryGet(SchemaKey.ForGroup(name), out group);

    /// <summary>The stream <paramref name="name"/> of <paramref name="group"/>.</summary>
    public bool TryGetStream(string group, string name, [NotNullWhen(true)] out StreamSchema? stream) => TryGet(new SchemaKey(SchemaKind.Stream, group, name), out stream);

    /// <summary>The measure <paramref name="name"/> of <paramref name="group"/>.</summary>
    public bool TryGetMeasure(string group, string name, [NotNullWhen(true)] out Measure? measure) => TryGet(new SchemaKey(SchemaKind.Measure, group, name), out measure);

    /// <summary>The index rule <paramref name="name"/> of <paramref name="group"/>.</summary>
    public bool TryGetIndexRule(string group, string name, [NotNullWhen(true)] out IndexRule? rule) => TryGet(new SchemaKey(SchemaKind.IndexRule, group, name), out rule);

    /// <summary>The index rule binding <paramref name="name"/> of <paramref name="group"/>.</summary>
    public bool TryGetIndexRuleBinding(string group, string name, [NotNullWhen(true)] out IndexRuleBinding? binding) => TryGet(new SchemaKey(SchemaKind.IndexRuleBinding, group, name), out binding);

    /// <summary>The TopN aggregation <paramref name="name"/> of <paramref name="group"/>.</summary>
    public bool TryGetTopNAggregation(string group, string name, [NotNullWhen(true)] out TopNAggregation? aggregation) => TryGet(new SchemaKey(SchemaKind.TopNAggregation, group, name), out aggregation);

    /// <summary>
    /// The schemas of <paramref name="kind"/> in <paramref name="group"/>, sorted by name; for
    /// <see cref="SchemaKind.Group"/> every group (<paramref name="group"/> ignored).
    /// </summary>
    public ImmutableArray<IMessage> List(SchemaKind kind, string? group)
    {
        IEnumerable<KeyValuePair<SchemaKey, IMessage>> matches = kind == SchemaKind.Group
            ? _schemas.Where(e => e.Key.Kind == SchemaKind.Group)
            : _schemas.Where(e => e.Key.Kind == kind && string.Equals(e.Key.Group, group, StringComparison.Ordinal));
        return [.. matches.OrderBy(e => e.Key.Name, StringComparer.Ordinal).Select(e => e.Value)];
    }

    /// <summary>The names of the schemas of <paramref name="kind"/> in <paramref name="group"/>, sorted.</summary>
    public ImmutableArray<string> NamesIn(SchemaKind kind, string group) =>
        [.. _schemas.Keys.Where(k => k.Kind == kind && string.Equals(k.Group, group, StringComparison.Ordinal)).Select(k => k.Name).Order(StringComparer.Ordinal)];

    /// <summary>The keys of every schema (other than the group itself) in <paramref name="group"/>.</summary>
    public IEnumerable<SchemaKey> KeysIn(string group) =>
        _schemas.Keys.Where(k => k.Kind != SchemaKind.Group && string.Equals(k.Group, group, StringComparison.Ordinal));

    /// <summary>
    /// The bindings of <paramref name="group"/> whose subject is the stream or measure <paramref name="subject"/>
    /// (<paramref name="subjectKind"/> is <see cref="SchemaKind.Stream"/> or <see cref="SchemaKind.Measure"/>), sorted by name,
    /// whatever their time window.
    /// </summary>
    public ImmutableArray<IndexRuleBinding> BindingsOf(SchemaKind subjectKind, string group, string subject) =>
        _bindingsOf.GetOrAdd((subjectKind, group, subject), static (key, schemas) =>
        {
            Catalog catalog = key.Kind == SchemaKind.Stream ? Catalog.Stream : Catalog.Measure;
            return [.. schemas
                .Where(e => e.Key.Kind == SchemaKind.IndexRuleBinding && string.Equals(e.Key.Group, key.Group, StringComparison.Ordinal))
                .OrderBy(e => e.Key.Name, StringComparer.Ordinal)
                .Select(e => (IndexRuleBinding)e.Value)
                .Where(b => b.Subject is { } s && s.Catalog == catalog && string.Equals(s.Name, key.Name, StringComparison.Ordinal))];
        }, _schemas);

    /// <summary>
    /// The index rules that apply to the stream or measure <paramref name="subject"/> of <paramref name="group"/> at
    /// <paramref name="at"/>: the rules named by its bindings whose window holds <paramref name="at"/>
    /// (<c>begin_at</c> ≤ at ≤ <c>expire_at</c>), in binding order, each once. As in BanyanDB, a binding may name rules
    /// that do not exist (yet); those are skipped.
    /// </summary>
    public ImmutableArray<IndexRule> IndexRulesFor(SchemaKind subjectKind, string group, string subject, DateTimeOffset at)
    {
        ImmutableArray<IndexRule>.Builder rules = ImmutableArray.CreateBuilder<IndexRule>();
        HashSet<string> seen = new(StringComparer.Ordinal);
        foreach (IndexRuleBinding binding in BindingsOf(subjectKind, group, subject))
        {
            if (!IsActive(binding, at))
            {
                continue;
            }

            foreach (string name in binding.Rules)
            {
                if (seen.Add(name) && TryGetIndexRule(group, name, out IndexRule? rule))
                {
                    rules.Add(rule);
                }
            }
        }

        return rules.ToImmutable();
    }

    /// <summary>True when the window of <paramref name="binding"/> holds <paramref name="at"/> (<c>begin_at</c> ≤ at ≤ <c>expire_at</c>; an unset bound is open).</summary>
    public static bool IsActive(IndexRuleBinding binding, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return !(binding.BeginAt is { } begin && begin.ToDateTimeOffset() > at) && !(binding.ExpireAt is { } expire && expire.ToDateTimeOffset() < at);
    }

    /// <summary>The TopN aggregations whose source is the measure <paramref name="measure"/> of <paramref name="group"/>, sorted by group and name.</summary>
    public ImmutableArray<TopNAggregation> TopNAggregationsOf(string group, string measure) =>
        _topNOf.GetOrAdd((group, measure), static (key, schemas) =>
            [.. schemas
                .Where(e => e.Key.Kind == SchemaKind.TopNAggregation)
                .OrderBy(e => e.Key.Group, StringComparer.Ordinal).ThenBy(e => e.Key.Name, StringComparer.Ordinal)
                .Select(e => (TopNAggregation)e.Value)
                .Where(t => t.SourceMeasure is { } source && string.Equals(source.Group, key.Group, StringComparison.Ordinal) && string.Equals(source.Name, key.Measure, StringComparison.Ordinal))],
            _schemas);

    private bool TryGet<T>(SchemaKey key, [NotNullWhen(true)] out T? schema)
        where T : class, IMessage
    {
        if (_schemas.TryGetValue(key, out IMessage? found))
        {
            schema = (T)found;
            return true;
        }

        schema = null;
        return false;
    }
}
