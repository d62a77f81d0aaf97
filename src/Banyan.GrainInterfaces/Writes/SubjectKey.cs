using Banyan.GrainInterfaces.Schema;

namespace Banyan.GrainInterfaces.Writes;

/// <summary>The key of a stream or measure grain: <c>group/name</c> (group names never hold '/').</summary>
public static class SubjectKey
{
    /// <summary>The key of <paramref name="name"/> in <paramref name="group"/>.</summary>
    public static string Of(string group, string name) => group + "/" + name;

    /// <summary>
    /// The key of the grain that runs a query (<c>groups[0]/name</c>), checking that the request names both, as the silo's
    /// query services and the client's query helpers do before calling the grain.
    /// </summary>
    /// <param name="groups">The request's <c>groups</c>.</param>
    /// <param name="name">The request's <c>name</c>.</param>
    /// <param name="what">What is queried, for the message: <c>stream</c> or <c>measure</c>.</param>
    /// <exception cref="SchemaValidationException">No group, an empty first group, or no name (the message names the field).</exception>
    public static string OfQuery(IReadOnlyList<string> groups, string name, string what)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count == 0 || string.IsNullOrEmpty(groups[0]))
        {
            throw new SchemaValidationException("groups", "at least one group is required");
        }

        if (string.IsNullOrEmpty(name))
        {
            throw new SchemaValidationException("name", $"the {what} name is required");
        }

        return Of(groups[0], name);
    }

    /// <summary>Splits a key made by <see cref="Of"/>.</summary>
    /// <exception cref="FormatException">The key has no '/'.</exception>
    public static (string Group, string Name) Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw new FormatException($"Subject grain key '{key}' must be group/name.");
        }

        return (key[..slash], key[(slash + 1)..]);
    }
}
