using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Segments;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Queries;

/// <summary>
/// What a query needs to know of one stream or measure of one group, taken from the silo's schema catalog once per
/// query: its tags (family, type), fields, entity, and the index rules bound to it (for ordering by a rule and for the
/// analyzer MATCH uses).
/// </summary>
internal sealed class QuerySubject
{
    // Bindings of one subject whose active set fits the cache key's bit mask; a subject with more is built every time.
    private const int MaxCachedBindings = 64;

    // Subjects made per catalog (a catalog never changes; the entries go with it), keyed by kind, group and name, each
    // with the set of the subject's bindings that were active when it was made (bit i: BindingsOf()[i]).
    private static readonly ConditionalWeakTable<SchemaCatalog, ConcurrentDictionary<(SchemaKind, string, string), (QuerySubject Subject, ulong Active)>> s_resolved = new();

    private readonly Dictionary<string, (string Family, TagType Type)> _tags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FieldType> _fields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexRule> _rulesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexRule> _rulesByTag = new(StringComparer.Ordinal);

    private QuerySubject(SchemaKind kind, string group, string name, IEnumerable<TagFamilySpec> families, IEnumerable<FieldSpec> fields, IEnumerable<string> entity, IEnumerable<IndexRule> rules, bool indexMode, bool routedByEntity = true)
    {
        RoutedByEntity = routedByEntity;
        Kind = kind;
        IndexMode = indexMode;
        Group = group;
        Name = name;
        foreach (TagFamilySpec family in families)
        {
            foreach (TagSpec tag in family.Tags)
            {
                _tags.TryAdd(tag.Name, (family.Name, tag.Type));
            }
        }

        foreach (FieldSpec field in fields)
        {
            _fields.TryAdd(field.Name, field.FieldType);
        }

        Entity = [.. entity];
        foreach (IndexRule rule in rules)
        {
            _rulesByName.TryAdd(rule.Metadata.Name, rule);
            foreach (string tag in rule.Tags)
            {
                // An inverted rule wins over a skipping one for MATCH and ordering.
                if (!_rulesByTag.TryGetValue(tag, out IndexRule? known) || (known.Type != IndexRule.Types.Type.Inverted && rule.Type == IndexRule.Types.Type.Inverted))
                {
                    _rulesByTag[tag] = rule;
                }
            }
        }

        IndexSchema = new IndexSchema([.. _rulesByTag.Select(r => new IndexedTag(r.Key, AnalyzerOf(r.Value.Analyzer)))]);
    }

    /// <summary>Stream or measure.</summary>
    public SchemaKind Kind { get; }

    /// <summary>
    /// Whether writes pick the shard of an element from its entity values (every stream; a measure without a
    /// <c>sharding_key</c>), as <see cref="Banyan.Storage.Series.ShardRouting"/> computes it.
    /// </summary>
    public bool RoutedByEntity { get; }

    /// <summary>The group.</summary>
    public string Group { get; }

    /// <summary>The stream or measure name.</summary>
    public string Name { get; }

    /// <summary>
    /// True for a measure in BanyanDB's index mode: its data points live in the series index, one document per series
    /// that a newer point replaces, so a query sees one point per series (the newest).
    /// </summary>
    public bool IndexMode { get; }

    /// <summary>The entity tag names, in entity order.</summary>
    public IReadOnlyList<string> Entity { get; }

    /// <summary>The tags with index rules, with the analyzer each rule gives MATCH.</summary>
    public IndexSchema IndexSchema { get; }

    /// <summary>"stream 'group/name'" or "measure 'group/name'", for messages.</summary>
    public string Description => $"{(Kind == SchemaKind.Stream ? "stream" : "measure")} '{Group}/{Name}'";

    /// <summary>
    /// The subject <paramref name="name"/> of <paramref name="group"/>, of <paramref name="kind"/>, with the index rules
    /// bound to it at <paramref name="now"/>. Made once per catalog and set of active bindings, then shared: every query
    /// resolves its subject in the measure grain and again in each shard, and building one (its tag, field and rule
    /// tables, the analyzers) cost more than the shard's read of a few hundred rows. A schema change makes a new
    /// catalog, so its subjects are made again; a binding whose window opens or closes changes the set.
    /// </summary>
    /// <exception cref="SchemaNotFoundException">The group or the subject does not exist.</exception>
    public static QuerySubject Resolve(SchemaCatalog catalog, SchemaKind kind, string group, string name, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(name);
        ImmutableArray<IndexRuleBinding> bindings = catalog.BindingsOf(kind, group, name);
        if (bindings.Length > MaxCachedBindings)
        {
            return Build(catalog, kind, group, name, now);
        }

        ulong active = 0;
        for (int i = 0; i < bindings.Length; i++)
        {
            if (SchemaCatalog.IsActive(bindings[i], now))
            {
                active |= 1UL << i;
            }
        }

        ConcurrentDictionary<(SchemaKind, string, string), (QuerySubject Subject, ulong Active)> resolved = s_resolved.GetValue(catalog, static _ => new());
        if (resolved.TryGetValue((kind, group, name), out (QuerySubject Subject, ulong Active) known) && known.Active == active)
        {
            return known.Subject;
        }

        // Only subjects that exist are kept (Build throws otherwise), so the table holds at most one entry per subject
        // of the catalog.
        QuerySubject subject = Build(catalog, kind, group, name, now);
        resolved[(kind, group, name)] = (subject, active);
        return subject;
    }

    private static QuerySubject Build(SchemaCatalog catalog, SchemaKind kind, string group, string name, DateTimeOffset now)
    {
        if (!catalog.TryGetGroup(group, out _))
        {
            throw new SchemaNotFoundException($"group '{group}' is not found");
        }

        ImmutableArray<IndexRule> rules = catalog.IndexRulesFor(kind, group, name, now);
        if (kind == SchemaKind.Stream)
        {
            if (!catalog.TryGetStream(group, name, out StreamSchema? stream))
            {
                throw new SchemaNotFoundException($"stream '{group}/{name}' is not found");
            }

            return new QuerySubject(kind, group, name, stream.TagFamilies, [], stream.Entity?.TagNames ?? [], rules, indexMode: false);
        }

        if (!catalog.TryGetMeasure(group, name, out Measure? measure))
        {
            throw new SchemaNotFoundException($"measure '{group}/{name}' is not found");
        }

        return new QuerySubject(kind, group, name, measure.TagFamilies, measure.Fields, measure.Entity?.TagNames ?? [], rules, measure.IndexMode,
            routedByEntity: measure.ShardingKey is not { TagNames.Count: > 0 });
    }

    /// <summary>The family and type of tag <paramref name="tag"/>; false when the subject has no such tag.</summary>
    public bool TryGetTag(string tag, out string family, out TagType type)
    {
        bool found = _tags.TryGetValue(tag, out (string Family, TagType Type) t);
        (family, type) = (t.Family, t.Type);
        return found;
    }

    /// <summary>True when family <paramref name="family"/> declares tag <paramref name="tag"/>.</summary>
    public bool HasTag(string family, string tag) => _tags.TryGetValue(tag, out (string Family, TagType Type) t) && t.Family == family;

    /// <summary>The type of field <paramref name="field"/>; false when the measure has no such field.</summary>
    public bool TryGetField(string field, out FieldType type) => _fields.TryGetValue(field, out type);

    /// <summary>The index rule named <paramref name="rule"/> bound to the subject, or null.</summary>
    public IndexRule? RuleNamed(string rule) => _rulesByName.GetValueOrDefault(rule);

    /// <summary>The index rule covering <paramref name="tag"/> (an inverted one when there are several), or null.</summary>
    public IndexRule? RuleOfTag(string tag) => _rulesByTag.GetValueOrDefault(tag);

    /// <summary>
    /// True when a measure keeps <paramref name="tag"/> per series rather than per point: a non-entity tag with an
    /// inverted index rule is stored in the series' index document, which a newer point of the series replaces, so
    /// BanyanDB answers the value of the series' newest point for every point of the series.
    /// </summary>
    public bool IsSeriesTag(string tag) => Kind == SchemaKind.Measure && !IsEntityTag(tag) && RuleOfTag(tag) is { Type: IndexRule.Types.Type.Inverted };

    /// <summary>True when <paramref name="tag"/> is an entity tag.</summary>
    public bool IsEntityTag(string tag) => Entity.Contains(tag, StringComparer.Ordinal);

    private static AnalyzerKind AnalyzerOf(string analyzer) => analyzer switch
    {
        "keyword" => AnalyzerKind.Keyword,
        "standard" => AnalyzerKind.Standard,
        "simple" => AnalyzerKind.Simple,
        "url" => AnalyzerKind.Url,
        _ => AnalyzerKind.None,
    };
}
