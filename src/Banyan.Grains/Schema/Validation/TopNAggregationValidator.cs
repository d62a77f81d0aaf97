using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Checks a <c>database.v1.TopNAggregation</c>. From BanyanDB (<c>api/validate/validate.go</c>
/// <c>TopNAggregation</c>): metadata, name and group; a source measure with a name and a group;
/// <c>counters_number</c> &gt; 0; a field name. Banyan adds: the group exists and is a measure group, the source
/// measure exists, the field is one of its fields, the group-by tags are its tags, the sort is a defined value and
/// <c>lru_size</c> is not negative. Criteria are stored as given.
/// </summary>
internal static class TopNAggregationValidator
{
    /// <summary>Throws <see cref="SchemaValidationException"/> naming the first invalid field.</summary>
    public static void Validate(TopNAggregation? aggregation, SchemaCatalog catalog)
    {
        if (aggregation is null)
        {
            throw new SchemaValidationException("top_n_aggregation", "is required");
        }

        Metadata metadata = MetadataRules.Require("top_n_aggregation", aggregation.Metadata);
        MetadataRules.RequireGroup(catalog, "top_n_aggregation.metadata.group", metadata.Group, "a TopN aggregation", Catalog.Measure);
        Metadata? source = aggregation.SourceMeasure;
        if (source is null)
        {
            throw new SchemaValidationException("top_n_aggregation.source_measure", "is required (group and name of the measure to rank)");
        }

        SchemaNames.RequireName("top_n_aggregation.source_measure.name", source.Name);
        if (source.Group.Length == 0)
        {
            throw new SchemaValidationException("top_n_aggregation.source_measure.group", "is required");
        }

        if (!catalog.TryGetMeasure(source.Group, source.Name, out Measure? measure))
        {
            throw new SchemaValidationException("top_n_aggregation.source_measure", $"measure '{source.Group}/{source.Name}' does not exist");
        }

        if (aggregation.FieldName.Length == 0)
        {
            throw new SchemaValidationException("top_n_aggregation.field_name", "is required (the field to rank by)");
        }

        if (!measure.Fields.Any(f => string.Equals(f.Name, aggregation.FieldName, StringComparison.Ordinal)))
        {
            throw new SchemaValidationException("top_n_aggregation.field_name", $"measure '{source.Group}/{source.Name}' has no field '{aggregation.FieldName}'");
        }

        if (!Enum.IsDefined(aggregation.FieldValueSort))
        {
            throw new SchemaValidationException("top_n_aggregation.field_value_sort", $"{(int)aggregation.FieldValueSort} is not a defined sort");
        }

        Dictionary<string, TagInfo> tags = TagFamilyRules.TagsOf(measure.TagFamilies);
        for (int i = 0; i < aggregation.GroupByTagNames.Count; i++)
        {
            if (!tags.ContainsKey(aggregation.GroupByTagNames[i]))
            {
                throw new SchemaValidationException($"top_n_aggregation.group_by_tag_names[{i}]", $"measure '{source.Group}/{source.Name}' has no tag '{aggregation.GroupByTagNames[i]}'");
            }
        }

        if (aggregation.CountersNumber <= 0)
        {
            throw new SchemaValidationException("top_n_aggregation.counters_number", "must be greater than 0");
        }

        if (aggregation.LruSize < 0)
        {
            throw new SchemaValidationException("top_n_aggregation.lru_size", "must not be negative");
        }
    }
}
