using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Checks a <c>database.v1.Measure</c>. From BanyanDB (<c>api/validate/validate.go</c> <c>Measure</c>,
/// <c>CreateMeasure</c> in <c>banyand/metadata/schema/property/client.go</c>, protoc-gen-validate rules of
/// <c>schema.proto</c>): metadata and group, tag families, an entity; each field with a name, a specified field
/// type, a defined encoding and a specified compression method; no fields in index mode; an <c>interval</c>
/// that parses as a duration (<see cref="MeasureInterval"/>); a sharding key with at least one tag. Banyan adds:
/// a CATALOG_MEASURE group, unique field names, entity and sharding-key tags that exist with a scalar type
/// (<see cref="TagFamilyRules"/>), and a positive interval.
/// </summary>
internal static class MeasureValidator
{
    /// <summary>Throws <see cref="SchemaValidationException"/> naming the first invalid field; returns the measure's tags by name.</summary>
    public static Dictionary<string, TagInfo> Validate(Measure? measure, SchemaCatalog catalog)
    {
        if (measure is null)
        {
            throw new SchemaValidationException("measure", "is required");
        }

        Metadata metadata = MetadataRules.Require("measure", measure.Metadata);
        MetadataRules.RequireGroup(catalog, "measure.metadata.group", metadata.Group, "a measure", Catalog.Measure);
        Dictionary<string, TagInfo> tags = TagFamilyRules.Validate("measure", measure.TagFamilies);
        if (measure.Entity is null)
        {
            throw new SchemaValidationException("measure.entity", "is required (the tags that identify a series)");
        }

        TagFamilyRules.ValidateKeyTags("measure.entity", "entity", measure.Entity.TagNames, tags);
        ValidateFields(measure);
        if (measure.IndexMode && measure.Fields.Count > 0)
        {
            throw new SchemaValidationException("measure.fields", "must be empty when index_mode is true (an index-mode measure stores tags only)");
        }

        if (measure.Interval.Length > 0)
        {
            if (!MeasureInterval.TryParse(measure.Interval, out TimeSpan interval, out string reason))
            {
                throw new SchemaValidationException("measure.interval", reason);
            }

            if (interval <= TimeSpan.Zero)
            {
                throw new SchemaValidationException("measure.interval", $"'{measure.Interval}' is not a positive duration");
            }
        }

        if (measure.ShardingKey is not null)
        {
            TagFamilyRules.ValidateKeyTags("measure.sharding_key", "sharding key", measure.ShardingKey.TagNames, tags);
        }

        return tags;
    }

    private static void ValidateFields(Measure measure)
    {
        HashSet<string> names = new(StringComparer.Ordinal);
        for (int i = 0; i < measure.Fields.Count; i++)
        {
            FieldSpec field = measure.Fields[i];
            string path = $"measure.fields[{i}]";
            SchemaNames.RequireName($"{path}.name", field.Name);
            if (!names.Add(field.Name))
            {
                throw new SchemaValidationException($"{path}.name", $"field '{field.Name}' is declared twice");
            }

            if (field.FieldType == FieldType.Unspecified)
            {
                throw new SchemaValidationException($"{path}.field_type", $"the type of field '{field.Name}' is unspecified");
            }

            if (!Enum.IsDefined(field.FieldType))
            {
                throw new SchemaValidationException($"{path}.field_type", $"{(int)field.FieldType} is not a defined field type");
            }

            if (!Enum.IsDefined(field.EncodingMethod))
            {
                throw new SchemaValidationException($"{path}.encoding_method", $"{(int)field.EncodingMethod} is not a defined encoding method");
            }

            if (field.CompressionMethod == CompressionMethod.Unspecified)
            {
                throw new SchemaValidationException($"{path}.compression_method", $"the compression method of field '{field.Name}' is unspecified; use COMPRESSION_METHOD_ZSTD");
            }

            if (!Enum.IsDefined(field.CompressionMethod))
            {
                throw new SchemaValidationException($"{path}.compression_method", $"{(int)field.CompressionMethod} is not a defined compression method");
            }
        }
    }
}
