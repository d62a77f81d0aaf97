using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Schema;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Checks a <c>database.v1.Stream</c>: metadata and group (<see cref="MetadataRules"/>, a CATALOG_STREAM group), tag
/// families (<see cref="TagFamilyRules"/>), an entity naming scalar tags of those families. BanyanDB:
/// <c>api/validate/validate.go</c> <c>Stream</c>.
/// </summary>
internal static class StreamValidator
{
    /// <summary>Throws <see cref="SchemaValidationException"/> naming the first invalid field; returns the stream's tags by name.</summary>
    public static Dictionary<string, TagInfo> Validate(StreamSchema? stream, SchemaCatalog catalog)
    {
        if (stream is null)
        {
            throw new SchemaValidationException("stream", "is required");
        }

        Metadata metadata = MetadataRules.Require("stream", stream.Metadata);
        MetadataRules.RequireGroup(catalog, "stream.metadata.group", metadata.Group, "a stream", Catalog.Stream);
        Dictionary<string, TagInfo> tags = TagFamilyRules.Validate("stream", stream.TagFamilies);
        if (stream.Entity is null)
        {
            throw new SchemaValidationException("stream.entity", "is required (the tags that identify a series)");
        }

        TagFamilyRules.ValidateKeyTags("stream.entity", "entity", stream.Entity.TagNames, tags);
        return tags;
    }
}
