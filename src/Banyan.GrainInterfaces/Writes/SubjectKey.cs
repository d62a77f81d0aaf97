namespace Banyan.GrainInterfaces.Writes;

/// <summary>The key of a stream or measure grain: <c>group/name</c> (group names never hold '/').</summary>
public static class SubjectKey
{
    /// <summary>The key of <paramref name="name"/> in <paramref name="group"/>.</summary>
    public static string Of(string group, string name) => group + "/" + name;

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
