using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Schema.Validation;

/// <summary>Looks up the stream or measure an index rule binding names and its tags.</summary>
internal static class SubjectTags
{
    /// <summary>The kind of schema a binding subject of <paramref name="catalog"/> is, or null for catalogs without index rules.</summary>
    public static SchemaKind? KindOf(Catalog catalog) => catalog switch
    {
        Catalog.Stream => SchemaKind.Stream,
        Catalog.Measure => SchemaKind.Measure,
        _ => null,
    };

    /// <summary>The tags of the subject <paramref name="subject"/> of <paramref name="group"/>, or null when it does not exist.</summary>
    public static Dictionary<string, TagInfo>? Find(SchemaCatalog catalog, string group, Subject subject)
    {
        if (KindOf(subject.Catalog) is not { } kind || !catalog.TryGet(new SchemaKey(kind, group, subject.Name), out Google.Protobuf.IMessage? found))
        {
            return null;
        }

        return found switch
        {
            StreamSchema stream => TagFamilyRules.TagsOf(stream.TagFamilies),
            Measure measure => TagFamilyRules.TagsOf(measure.TagFamilies),
            _ => null,
        };
    }

    /// <summary><c>stream 'group/name'</c> or <c>measure 'group/name'</c>.</summary>
    public static string Describe(string group, Subject subject) =>
        KindOf(subject.Catalog) is { } kind ? new SchemaKey(kind, group, subject.Name).ToString() : $"'{group}/{subject.Name}'";
}
