using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Checks the identity of a schema other than a group: metadata present, a valid name, a group that exists and
/// holds that kind of schema. BanyanDB requires the metadata, name and group (<c>api/validate/validate.go</c>)
/// and looks the group up before storing (<c>validateGroup</c> in <c>banyand/metadata/schema/property/client.go</c>,
/// where an unknown group is NOT_FOUND); Banyan answers INVALID_ARGUMENT naming the field, as issue 12 asks, and
/// also refuses a schema in a group of the wrong catalog (a stream in a measure group).
/// </summary>
internal static class MetadataRules
{
    /// <summary>Throws unless <paramref name="metadata"/> has a valid name and a group name; returns it.</summary>
    public static Metadata Require(string root, Metadata? metadata)
    {
        if (metadata is null)
        {
            throw new SchemaValidationException($"{root}.metadata", "is required (group and name)");
        }

        SchemaNames.RequireName($"{root}.metadata.name", metadata.Name);
        if (metadata.Group.Length == 0)
        {
            throw new SchemaValidationException($"{root}.metadata.group", "is required");
        }

        return metadata;
    }

    /// <summary>The group <paramref name="group"/>, which must exist and have one of the <paramref name="allowed"/> catalogs.</summary>
    public static Group RequireGroup(SchemaCatalog catalog, string field, string group, string what, params Catalog[] allowed)
    {
        if (!catalog.TryGetGroup(group, out Group? found))
        {
            throw new SchemaValidationException(field, $"group '{group}' does not exist; create it first");
        }

        if (Array.IndexOf(allowed, found.Catalog) < 0)
        {
            throw new SchemaValidationException(
                field,
                $"group '{group}' is a {ProtoEnumNames.Of(found.Catalog)} group; {what} belongs to a {string.Join(" or ", allowed.Select(ProtoEnumNames.Of))} group");
        }

        return found;
    }
}
