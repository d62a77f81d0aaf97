using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Google.Protobuf.Collections;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// What an <c>Update</c> may change, beyond the checks a new schema passes. From BanyanDB
/// (<c>banyand/metadata/schema/property/validate.go</c>): a stream's or measure's entity cannot change and its entity
/// tags cannot be removed; a measure's interval and index mode cannot change, nor an existing field (removing a field
/// is allowed). Tags and fields may be added (old data reads them as null). Banyan adds: an existing tag keeps its type
/// (old data holds values of that type), a tag indexed by a bound rule stays (<see cref="IndexedTags"/>), and a
/// group keeps its catalog (its streams or measures would be orphaned).
/// </summary>
internal static class SchemaUpdateRules
{
    /// <summary>Checks the update of a group.</summary>
    public static void CheckGroup(Group previous, Group next)
    {
        if (previous.Catalog != next.Catalog)
        {
            throw new SchemaValidationException("group.catalog", $"cannot change from {ProtoEnumNames.Of(previous.Catalog)} to {ProtoEnumNames.Of(next.Catalog)}");
        }
    }

    /// <summary>Checks the update of a stream whose new tags are <paramref name="tags"/>.</summary>
    public static void CheckStream(SchemaCatalog catalog, StreamSchema previous, StreamSchema next, Dictionary<string, TagInfo> tags)
    {
        CheckEntity("stream", previous.Entity, next.Entity);
        CheckTagTypes("stream", previous.TagFamilies, next.TagFamilies);
        IndexedTags.CheckSubjectKeepsIndexedTags(catalog, "stream", SchemaKind.Stream, next.Metadata.Group, next.Metadata.Name, tags);
    }

    /// <summary>Checks the update of a measure whose new tags are <paramref name="tags"/>.</summary>
    public static void CheckMeasure(SchemaCatalog catalog, Measure previous, Measure next, Dictionary<string, TagInfo> tags)
    {
        if (!string.Equals(previous.Interval, next.Interval, StringComparison.Ordinal))
        {
            throw new SchemaValidationException("measure.interval", $"cannot change (was '{previous.Interval}', now '{next.Interval}')");
        }

        CheckEntity("measure", previous.Entity, next.Entity);
        if (previous.IndexMode != next.IndexMode)
        {
            throw new SchemaValidationException("measure.index_mode", $"cannot change (was {previous.IndexMode.ToString().ToLowerInvariant()})");
        }

        CheckTagTypes("measure", previous.TagFamilies, next.TagFamilies);
        for (int i = 0; i < next.Fields.Count; i++)
        {
            FieldSpec field = next.Fields[i];
            FieldSpec? old = previous.Fields.FirstOrDefault(f => string.Equals(f.Name, field.Name, StringComparison.Ordinal));
            if (old is not null && !old.Equals(field))
            {
                throw new SchemaValidationException($"measure.fields[{i}]", $"field '{field.Name}' cannot change (was {old}, now {field}); add a field under a new name instead");
            }
        }

        IndexedTags.CheckSubjectKeepsIndexedTags(catalog, "measure", SchemaKind.Measure, next.Metadata.Group, next.Metadata.Name, tags);
    }

    private static void CheckEntity(string root, Entity previous, Entity next)
    {
        if (!previous.TagNames.SequenceEqual(next.TagNames, StringComparer.Ordinal))
        {
            throw new SchemaValidationException($"{root}.entity", $"cannot change (was [{string.Join(", ", previous.TagNames)}], now [{string.Join(", ", next.TagNames)}]): series ids are computed from it");
        }
    }

    private static void CheckTagTypes(string root, RepeatedField<TagFamilySpec> previous, RepeatedField<TagFamilySpec> next)
    {
        Dictionary<string, TagInfo> old = TagFamilyRules.TagsOf(previous);
        for (int f = 0; f < next.Count; f++)
        {
            for (int t = 0; t < next[f].Tags.Count; t++)
            {
                TagSpec tag = next[f].Tags[t];
                if (old.TryGetValue(tag.Name, out TagInfo was) && was.Type != tag.Type)
                {
                    throw new SchemaValidationException(
                        $"{root}.tag_families[{f}].tags[{t}].type",
                        $"tag '{tag.Name}' is {ProtoEnumNames.Of(was.Type)}; the type of an existing tag cannot change (add a tag under a new name instead)");
                }
            }
        }
    }
}
