using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Queries;
using Banyan.Grains.Schema;
using Banyan.Grains.Schema.Validation;
using ApiSort = Banyan.Api.Model.V1.Sort;
using EngineCriteria = Banyan.Storage.Query.Criteria;

namespace Banyan.Grains.TopN;

/// <summary>
/// A <c>database.v1.TopNAggregation</c> resolved against its source measure, as its processors and queries use it: the
/// window length (the measure's <c>interval</c>), the ranked field and its type, the group-by and entity tags with their
/// families, the criteria in the engine's form, the list capacity (<c>counters_number</c>, default 1000) and the number
/// of open windows (<c>lru_size</c>, default 2 as BanyanDB's window assigner), and the directions kept
/// (<c>field_value_sort</c>; unset keeps both).
/// </summary>
internal sealed class TopNDefinition
{
    /// <summary>BanyanDB's <c>counters_number</c> when the schema leaves it 0.</summary>
    public const int DefaultCountersNumber = 1000;

    /// <summary>BanyanDB's open-window count when <c>lru_size</c> is 0 (its tumbling window's default cache size).</summary>
    public const int DefaultLruSize = 2;

    private TopNDefinition(TopNAggregation aggregation, Measure measure, QuerySubject subject, EngineCriteria? criteria, long intervalNanos, bool isFloat)
    {
        Aggregation = aggregation;
        Measure = measure;
        Subject = subject;
        Criteria = criteria;
        IntervalNanos = intervalNanos;
        IsFloat = isFloat;
        Group = aggregation.Metadata.Group;
        Name = aggregation.Metadata.Name;
        FieldName = aggregation.FieldName;
        CountersNumber = aggregation.CountersNumber > 0 ? aggregation.CountersNumber : DefaultCountersNumber;
        LruSize = aggregation.LruSize > 0 ? aggregation.LruSize : DefaultLruSize;
        // BanyanDB skips group-by tags the measure no longer has (a schema update may drop a tag).
        GroupBy = [.. aggregation.GroupByTagNames.Where(t => subject.TryGetTag(t, out _, out _)).Select(t => (FamilyOf(subject, t), t))];
        Entity = [.. subject.Entity.Select(t => (FamilyOf(subject, t), t))];
        Directions = aggregation.FieldValueSort == ApiSort.Unspecified ? [false, true] : [aggregation.FieldValueSort == ApiSort.Desc];
        Identity = $"{Group}/{Name}@{aggregation.Metadata.ModRevision}:{measure.Metadata?.ModRevision ?? 0}";
    }

    /// <summary>The schema.</summary>
    public TopNAggregation Aggregation { get; }

    /// <summary>The source measure's schema.</summary>
    public Measure Measure { get; }

    /// <summary>
    /// The source measure's name: the subject of its series keys, so a source series id is
    /// <c>SeriesKey.ComputeSeriesId(SourceSubject, entity values)</c> (as the write path computes it).
    /// </summary>
    public string SourceSubject => Measure.Metadata?.Name ?? string.Empty;

    /// <summary>The source measure as the criteria evaluator sees it.</summary>
    public QuerySubject Subject { get; }

    /// <summary>The aggregation's group.</summary>
    public string Group { get; }

    /// <summary>The aggregation's name.</summary>
    public string Name { get; }

    /// <summary>Group, name and the revisions of the aggregation and its measure: a new revision starts a new processor, as in BanyanDB.</summary>
    public string Identity { get; }

    /// <summary>The ranked field.</summary>
    public string FieldName { get; }

    /// <summary>True when the ranked field is FLOAT, false for INT.</summary>
    public bool IsFloat { get; }

    /// <summary>The engine's form of <c>criteria</c>; null: every point counts.</summary>
    public EngineCriteria? Criteria { get; }

    /// <summary>Window length, ns (the source measure's <c>interval</c>).</summary>
    public long IntervalNanos { get; }

    /// <summary>Capacity of each list.</summary>
    public int CountersNumber { get; }

    /// <summary>Open windows per processor.</summary>
    public int LruSize { get; }

    /// <summary>The group-by tags (family, name) the measure has, in schema order.</summary>
    public (string Family, string Tag)[] GroupBy { get; }

    /// <summary>The source measure's entity tags (family, name), in entity order.</summary>
    public (string Family, string Tag)[] Entity { get; }

    /// <summary>The directions kept: true for <c>SORT_DESC</c> (top N), false for <c>SORT_ASC</c> (bottom N).</summary>
    public bool[] Directions { get; }

    /// <summary>The start (ns) of the window holding <paramref name="timestamp"/> (ns): windows are aligned to the Unix epoch, as BanyanDB's.</summary>
    public long WindowStart(long timestamp)
    {
        long remainder = timestamp % IntervalNanos;
        return remainder >= 0 ? timestamp - remainder : timestamp - remainder - IntervalNanos;
    }

    /// <summary>
    /// <paramref name="aggregation"/> resolved in <paramref name="catalog"/>; false with the reason when it cannot rank
    /// anything: its source measure is gone, the field is gone or not INT or FLOAT, the measure has no interval, or every
    /// group-by tag is gone, as BanyanDB refuses to start such a processor.
    /// </summary>
    public static bool TryCreate(TopNAggregation aggregation, SchemaCatalog catalog, DateTimeOffset now, out TopNDefinition? definition, out string reason)
    {
        ArgumentNullException.ThrowIfNull(aggregation);
        ArgumentNullException.ThrowIfNull(catalog);
        definition = null;
        string what = $"TopN aggregation '{aggregation.Metadata?.Group}/{aggregation.Metadata?.Name}'";
        if (aggregation.Metadata is null || aggregation.SourceMeasure is not { } source || !catalog.TryGetMeasure(source.Group, source.Name, out Measure? measure))
        {
            reason = $"{what}: its source measure does not exist";
            return false;
        }

        FieldSpec? field = measure.Fields.FirstOrDefault(f => string.Equals(f.Name, aggregation.FieldName, StringComparison.Ordinal));
        if (field is null || field.FieldType is not (FieldType.Int or FieldType.Float))
        {
            reason = field is null
                ? $"{what}: measure '{source.Group}/{source.Name}' has no field '{aggregation.FieldName}'"
                : $"{what}: field '{aggregation.FieldName}' is {field.FieldType}; TopN ranks INT or FLOAT fields only";
            return false;
        }

        if (measure.Interval.Length == 0 || !MeasureInterval.TryParse(measure.Interval, out TimeSpan interval, out _) || interval <= TimeSpan.Zero)
        {
            reason = $"{what}: measure '{source.Group}/{source.Name}' has no interval to window by";
            return false;
        }

        QuerySubject subject;
        EngineCriteria? criteria;
        try
        {
            subject = QuerySubject.Resolve(catalog, SchemaKind.Measure, source.Group, source.Name, now);
            criteria = CriteriaTranslator.Translate(aggregation.Criteria, subject);
        }
        catch (Exception e) when (e is SchemaValidationException or SchemaNotFoundException)
        {
            reason = $"{what}: {e.Message}";
            return false;
        }

        if (aggregation.GroupByTagNames.Count > 0 && !aggregation.GroupByTagNames.Any(t => subject.TryGetTag(t, out _, out _)))
        {
            reason = $"{what}: measure '{source.Group}/{source.Name}' has none of the group-by tags any more";
            return false;
        }

        definition = new TopNDefinition(aggregation, measure, subject, criteria, interval.Ticks * 100, field.FieldType == FieldType.Float);
        reason = string.Empty;
        return true;
    }

    private static string FamilyOf(QuerySubject subject, string tag) => subject.TryGetTag(tag, out string family, out _)
        ? family
        : throw new InvalidOperationException($"tag '{tag}' of {subject.Description} has no family; this is a bug");
}
