using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Google.Protobuf.Collections;

namespace Banyan.Grains.Schema.Validation;

/// <summary>Where a tag is declared and its type.</summary>
/// <param name="Family">The tag family declaring it.</param>
/// <param name="Type">Its type.</param>
internal readonly record struct TagInfo(string Family, TagType Type);

/// <summary>
/// Checks the tag families and the entity of a stream or measure. From BanyanDB: at least one family
/// (protoc-gen-validate <c>min_items: 1</c>), each with a name and at least one tag, each tag with a name free of
/// <c>#</c> and a specified, defined type (<c>api/validate/validate.go</c> <c>tagFamily</c>); an entity with at least one
/// tag name. Series keys can only hold scalar values (BanyanDB <c>pkg/pb/v1/value.go</c> <c>marshalTagValue</c>:
/// string, int, binary data, timestamp; arrays are refused), so Banyan checks that entity tags exist and have such a
/// type; it also refuses duplicate family names and tag names (a tag is named alone in criteria and entities, so a
/// name in two families would be ambiguous).
/// </summary>
internal static class TagFamilyRules
{
    /// <summary>Validates <paramref name="families"/> (field <c>&lt;root&gt;.tag_families</c>); returns every tag by name.</summary>
    public static Dictionary<string, TagInfo> Validate(string root, RepeatedField<TagFamilySpec> families)
    {
        string field = $"{root}.tag_families";
        if (families.Count == 0)
        {
            throw new SchemaValidationException(field, "must hold at least one tag family");
        }

        HashSet<string> familyNames = new(StringComparer.Ordinal);
        Dictionary<string, TagInfo> tags = new(StringComparer.Ordinal);
        for (int f = 0; f < families.Count; f++)
        {
            TagFamilySpec family = families[f];
            string familyField = $"{field}[{f}]";
            SchemaNames.RequireName($"{familyField}.name", family.Name);
            if (!familyNames.Add(family.Name))
            {
                throw new SchemaValidationException($"{familyField}.name", $"tag family '{family.Name}' is declared twice");
            }

            if (family.Tags.Count == 0)
            {
                throw new SchemaValidationException($"{familyField}.tags", $"tag family '{family.Name}' must hold at least one tag");
            }

            for (int t = 0; t < family.Tags.Count; t++)
            {
                TagSpec tag = family.Tags[t];
                string tagField = $"{familyField}.tags[{t}]";
                SchemaNames.RequireTagName($"{tagField}.name", tag.Name);
                if (tag.Type == TagType.Unspecified)
                {
                    throw new SchemaValidationException($"{tagField}.type", $"the type of tag '{tag.Name}' is unspecified");
                }

                if (!Enum.IsDefined(tag.Type))
                {
                    throw new SchemaValidationException($"{tagField}.type", $"{(int)tag.Type} is not a defined tag type");
                }

                if (tags.TryGetValue(tag.Name, out TagInfo earlier))
                {
                    throw new SchemaValidationException($"{tagField}.name", $"tag '{tag.Name}' is already declared in tag family '{earlier.Family}'; tag names are unique across families");
                }

                tags.Add(tag.Name, new TagInfo(family.Name, tag.Type));
            }
        }

        return tags;
    }

    /// <summary>The tags of stored (already valid) families by name.</summary>
    public static Dictionary<string, TagInfo> TagsOf(IEnumerable<TagFamilySpec> families)
    {
        Dictionary<string, TagInfo> tags = new(StringComparer.Ordinal);
        foreach (TagFamilySpec family in families)
        {
            foreach (TagSpec tag in family.Tags)
            {
                tags.TryAdd(tag.Name, new TagInfo(family.Name, tag.Type));
            }
        }

        return tags;
    }

    /// <summary>Whether a tag of <paramref name="type"/> can be part of a series key (entity or sharding key).</summary>
    public static bool IsScalar(TagType type) => type is TagType.String or TagType.Int or TagType.DataBinary or TagType.Timestamp;

    /// <summary>Validates an entity or a sharding key (field <paramref name="field"/>, tag names in <paramref name="tagNames"/>) against <paramref name="tags"/>.</summary>
    public static void ValidateKeyTags(string field, string what, RepeatedField<string> tagNames, Dictionary<string, TagInfo> tags)
    {
        if (tagNames.Count == 0)
        {
            throw new SchemaValidationException($"{field}.tag_names", $"the {what} must name at least one tag");
        }

        HashSet<string> seen = new(StringComparer.Ordinal);
        for (int i = 0; i < tagNames.Count; i++)
        {
            string name = tagNames[i];
            string tagField = $"{field}.tag_names[{i}]";
            if (!tags.TryGetValue(name, out TagInfo tag))
            {
                throw new SchemaValidationException(tagField, $"{what} tag '{name}' is not declared in tag_families");
            }

            if (!IsScalar(tag.Type))
            {
                throw new SchemaValidationException(tagField, $"{what} tag '{name}' is a {ProtoEnumNames.Of(tag.Type)}; {what} tags must be TAG_TYPE_STRING, TAG_TYPE_INT, TAG_TYPE_DATA_BINARY or TAG_TYPE_TIMESTAMP");
            }

            if (!seen.Add(name))
            {
                throw new SchemaValidationException(tagField, $"{what} tag '{name}' is named twice");
            }
        }
    }
}
