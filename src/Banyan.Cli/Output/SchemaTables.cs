using System.Globalization;
using Banyan.Api.Database.V1;
using Banyan.Cli.Schema;
using Google.Protobuf;
using CommonV1 = Banyan.Api.Common.V1;

namespace Banyan.Cli.Output;

/// <summary>
/// The table of each schema kind: one row per schema with what a person looks for first (for a measure: tags, fields,
/// entity, interval); <c>-o yaml</c> shows everything.
/// </summary>
public static class SchemaTables
{
    /// <summary>Prints <paramref name="schemas"/> of <paramref name="kind"/> as a table.</summary>
    public static void Write(ResultWriter output, SchemaKind kind, IReadOnlyList<IMessage> schemas)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(schemas);
        (string[] headers, Func<IMessage, string[]> row) = Columns(kind);
        output.WriteTable(headers, schemas.Select(row));
    }

    private static (string[] Headers, Func<IMessage, string[]> Row) Columns(SchemaKind kind) => kind.Command switch
    {
        "group" => (["NAME", "CATALOG", "SHARDS", "SEGMENT", "TTL", "REVISION", "UPDATED"], GroupRow),
        "stream" => (["GROUP", "NAME", "TAGS", "ENTITY", "REVISION", "UPDATED"], StreamRow),
        "measure" => (["GROUP", "NAME", "TAGS", "FIELDS", "ENTITY", "INTERVAL", "REVISION", "UPDATED"], MeasureRow),
        "index-rule" => (["GROUP", "NAME", "TAGS", "TYPE", "ANALYZER", "REVISION", "UPDATED"], IndexRuleRow),
        "index-rule-binding" => (["GROUP", "NAME", "RULES", "SUBJECT", "BEGIN", "EXPIRE", "REVISION"], BindingRow),
        "topn-agg" => (["GROUP", "NAME", "SOURCE MEASURE", "FIELD", "SORT", "GROUP BY", "COUNTERS", "REVISION"], TopNRow),
        _ => throw new InvalidOperationException($"No table for schema kind '{kind.Command}'; this is a bug."),
    };

    private static string[] GroupRow(IMessage m)
    {
        CommonV1.Group g = (CommonV1.Group)m;
        return
        [
            g.Metadata?.Name ?? string.Empty, ValueText.EnumName(g.Catalog, "CATALOG_"),
            (g.ResourceOpts?.ShardNum ?? 0).ToString(CultureInfo.InvariantCulture), ValueText.Of(g.ResourceOpts?.SegmentInterval),
            ValueText.Of(g.ResourceOpts?.Ttl), Revision(g.Metadata), ValueText.Of(g.UpdatedAt),
        ];
    }

    private static string[] StreamRow(IMessage m)
    {
        Banyan.Api.Database.V1.Stream s = (Banyan.Api.Database.V1.Stream)m;
        return [s.Metadata?.Group ?? string.Empty, s.Metadata?.Name ?? string.Empty, Tags(s.TagFamilies), Join(s.Entity?.TagNames), Revision(s.Metadata), ValueText.Of(s.UpdatedAt)];
    }

    private static string[] MeasureRow(IMessage m)
    {
        Measure s = (Measure)m;
        string fields = string.Join(", ", s.Fields.Select(f => $"{f.Name}:{ValueText.EnumName(f.FieldType, "FIELD_TYPE_").ToLowerInvariant()}"));
        return
        [
            s.Metadata?.Group ?? string.Empty, s.Metadata?.Name ?? string.Empty, Tags(s.TagFamilies), fields, Join(s.Entity?.TagNames),
            s.Interval + (s.IndexMode ? " (index mode)" : string.Empty), Revision(s.Metadata), ValueText.Of(s.UpdatedAt),
        ];
    }

    private static string[] IndexRuleRow(IMessage m)
    {
        IndexRule r = (IndexRule)m;
        return [r.Metadata?.Group ?? string.Empty, r.Metadata?.Name ?? string.Empty, Join(r.Tags), ValueText.EnumName(r.Type, "TYPE_"), r.Analyzer, Revision(r.Metadata), ValueText.Of(r.UpdatedAt)];
    }

    private static string[] BindingRow(IMessage m)
    {
        IndexRuleBinding b = (IndexRuleBinding)m;
        string subject = b.Subject is null ? string.Empty : $"{ValueText.EnumName(b.Subject.Catalog, "CATALOG_").ToLowerInvariant()} {b.Subject.Name}";
        return [b.Metadata?.Group ?? string.Empty, b.Metadata?.Name ?? string.Empty, Join(b.Rules), subject, ValueText.Of(b.BeginAt), ValueText.Of(b.ExpireAt), Revision(b.Metadata)];
    }

    private static string[] TopNRow(IMessage m)
    {
        TopNAggregation t = (TopNAggregation)m;
        return
        [
            t.Metadata?.Group ?? string.Empty, t.Metadata?.Name ?? string.Empty,
            t.SourceMeasure is null ? string.Empty : $"{t.SourceMeasure.Group}/{t.SourceMeasure.Name}", t.FieldName,
            ValueText.EnumName(t.FieldValueSort, "SORT_"), Join(t.GroupByTagNames), t.CountersNumber.ToString(CultureInfo.InvariantCulture), Revision(t.Metadata),
        ];
    }

    private static string Tags(IEnumerable<TagFamilySpec> families) => string.Join("; ", families.Select(f =>
        $"{f.Name}: {string.Join(", ", f.Tags.Select(t => $"{t.Name}:{ValueText.EnumName(t.Type, "TAG_TYPE_").ToLowerInvariant()}"))}"));

    private static string Join(IEnumerable<string>? names) => names is null ? string.Empty : string.Join(", ", names);

    private static string Revision(CommonV1.Metadata? metadata) => (metadata?.ModRevision ?? 0).ToString(CultureInfo.InvariantCulture);
}
