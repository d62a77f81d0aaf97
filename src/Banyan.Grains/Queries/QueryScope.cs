using System.Globalization;
using Banyan.Api.Common.V1;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Banyan.Grains.Writes;

namespace Banyan.Grains.Queries;

/// <summary>One group a query reads: its settings (segments, shards) and its version of the subject's schema.</summary>
/// <param name="Group">The group name.</param>
/// <param name="Settings">Shard count, segment interval and TTL.</param>
/// <param name="Subject">The stream or measure as this group declares it.</param>
internal sealed record QueryScope(string Group, GroupSettings Settings, QuerySubject Subject)
{
    /// <summary>
    /// The groups of a request in request order (a group named twice is read once), each with its schema of
    /// <paramref name="name"/>. BanyanDB queries every group named and fails when one of them is missing.
    /// </summary>
    /// <exception cref="SchemaValidationException">No group or no name is given.</exception>
    /// <exception cref="SchemaNotFoundException">A group, or the subject in a group, does not exist.</exception>
    public static List<QueryScope> Resolve(SchemaCatalog catalog, SchemaKind kind, IEnumerable<string> groups, string name, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        string what = kind == SchemaKind.Stream ? "stream" : "measure";
        if (string.IsNullOrEmpty(name))
        {
            throw new SchemaValidationException("name", $"the {what} name is required");
        }

        List<QueryScope> scopes = [];
        foreach (string group in groups.Distinct(StringComparer.Ordinal))
        {
            if (!catalog.TryGetGroup(group, out Group? schema) || schema.Catalog != (kind == SchemaKind.Stream ? Catalog.Stream : Catalog.Measure))
            {
                throw new SchemaNotFoundException(schema is null ? $"group '{group}' is not found" : $"group '{group}' is not a {what} group");
            }

            if (!GroupSettings.TryFrom(schema, out GroupSettings? settings))
            {
                throw new SchemaValidationException("groups", $"group '{group}' has no usable resource_opts (shard_num, segment_interval, ttl)");
            }

            scopes.Add(new QueryScope(group, settings, QuerySubject.Resolve(catalog, kind, group, name, now)));
        }

        if (scopes.Count == 0)
        {
            throw new SchemaValidationException("groups", "at least one group is required");
        }

        return scopes;
    }

    /// <summary>
    /// Every projected (family, tag) of <paramref name="projection"/>, in request order; each must be declared in its
    /// family by the subject of some queried group (a tag added to one group's schema only is allowed).
    /// </summary>
    /// <exception cref="SchemaValidationException">A tag no group declares; the field is <paramref name="path"/> with its indexes.</exception>
    public static List<(string Family, string Tag)> ProjectedTags(TagProjection? projection, List<QueryScope> scopes, string path)
    {
        List<(string, string)> tags = [];
        if (projection is null)
        {
            return tags;
        }

        for (int f = 0; f < projection.TagFamilies.Count; f++)
        {
            TagProjection.Types.TagFamily family = projection.TagFamilies[f];
            for (int t = 0; t < family.Tags.Count; t++)
            {
                string tag = family.Tags[t];
                if (!scopes.Any(s => s.Subject.HasTag(family.Name, tag)))
                {
                    throw new SchemaValidationException(
                        string.Create(CultureInfo.InvariantCulture, $"{path}.tag_families[{f}].tags[{t}]"),
                        $"tag '{tag}' is not declared in tag family '{family.Name}' of {scopes[0].Subject.Description}");
                }

                tags.Add((family.Name, tag));
            }
        }

        return tags;
    }
}
