using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// What a shard indexes for one subject (a measure or a stream of its group): the kind, the subject
/// name and its entity tags (for the series index), and the index rules (for the subject's inverted
/// index). Given to <c>Shard.ConfigureSubject</c> (or <c>ShardOptions.Index</c> / <c>Subjects</c>).
/// </summary>
public sealed class ShardIndexConfig
{
    /// <summary>Reserved stored field of stream documents holding the element id.</summary>
    public const string ElementIdField = "_element_id";

    /// <summary>Creates and validates the configuration; errors name the field and the reason.</summary>
    /// <param name="kind">Measure (one document per series and distinct indexed values per batch) or stream (one document per element).</param>
    /// <param name="subject">The measure or stream name; series keys are computed from it.</param>
    /// <param name="entityTagNames">The entity tags, in entity order (the series id is the hash of the subject and these values).</param>
    /// <param name="rules">The indexed tags.</param>
    public ShardIndexConfig(DataKind kind, string subject, IReadOnlyList<string> entityTagNames, IReadOnlyList<ShardIndexRule> rules)
    {
        if (kind is not DataKind.Measure and not DataKind.Stream)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown part kind");
        }

        if (string.IsNullOrEmpty(subject))
        {
            throw new ArgumentException("subject: a non-empty measure or stream name is required", nameof(subject));
        }

        ArgumentNullException.ThrowIfNull(entityTagNames);
        ArgumentNullException.ThrowIfNull(rules);
        if (entityTagNames.Count == 0)
        {
            throw new ArgumentException($"entityTagNames of '{subject}': at least one entity tag is required", nameof(entityTagNames));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in entityTagNames)
        {
            if (string.IsNullOrEmpty(name) || name is SeriesIndex.KeyField or SeriesIndex.SubjectField)
            {
                throw new ArgumentException($"entityTagNames of '{subject}': '{name}' is empty or reserved by the series index", nameof(entityTagNames));
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"entityTagNames of '{subject}': '{name}' is listed twice", nameof(entityTagNames));
            }
        }

        var tags = new List<IndexedTag>(rules.Count + 1);
        var ruleNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (ShardIndexRule rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            if (string.IsNullOrEmpty(rule.Tag) || rule.Tag == ElementIdField)
            {
                throw new ArgumentException($"rules of '{subject}': tag '{rule.Tag}' is empty or reserved", nameof(rules));
            }

            if (!ruleNames.Add(rule.Tag))
            {
                throw new ArgumentException($"rules of '{subject}': tag '{rule.Tag}' is indexed twice", nameof(rules));
            }

            // Stream tag values live in parts, so the index keeps none of them; a measure's index keeps
            // values unless the tag is indexed_only (the measure index-mode behaviour of BanyanDB).
            bool stored = kind == DataKind.Measure && !rule.IndexedOnly;
            tags.Add(new IndexedTag(rule.Tag, rule.Analyzer, stored));
        }

        if (kind == DataKind.Stream)
        {
            // Stored only, never searched: it tells apart elements of one series at one timestamp.
            tags.Add(new IndexedTag(ElementIdField, AnalyzerKind.None, Stored: true, ExactTerms: false));
        }

        Kind = kind;
        Subject = subject;
        EntityTagNames = [.. entityTagNames];
        Rules = [.. rules];
        Schema = new IndexSchema(tags);
    }

    /// <summary>Measure or stream.</summary>
    public DataKind Kind { get; }

    /// <summary>The measure or stream name.</summary>
    public string Subject { get; }

    /// <summary>The entity tags, in entity order.</summary>
    public IReadOnlyList<string> EntityTagNames { get; }

    /// <summary>The index rules.</summary>
    public IReadOnlyList<ShardIndexRule> Rules { get; }

    /// <summary>The schema of the inverted index (the rules, plus the element id field for streams).</summary>
    public IndexSchema Schema { get; }

    /// <summary>True when <paramref name="other"/> says the same: kind, subject, entity tags and rules, in order.</summary>
    public bool SameAs(ShardIndexConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Kind == other.Kind
            && Subject == other.Subject
            && EntityTagNames.SequenceEqual(other.EntityTagNames, StringComparer.Ordinal)
            && Rules.SequenceEqual(other.Rules);
    }
}
