namespace Banyan.Conformance.Seeding;

/// <summary>
/// One catalog of <c>seed.json</c>'s <c>schemaLoadOrder</c>: its groups, then the schema folders in upstream order.
/// </summary>
/// <param name="Catalog"><c>stream</c>, <c>measure</c>, <c>trace</c> or <c>property</c>.</param>
/// <param name="Groups">The group source: a single file holding a JSON array of groups, or a <c>dir/*.json</c> glob with one group per file.</param>
/// <param name="Then">The schema globs (<c>dir/*.json</c>, one message per file) created after the groups, in this order.</param>
public sealed record SchemaLoadEntry(string Catalog, string Groups, IReadOnlyList<string> Then)
{
    /// <summary>True when <see cref="Groups"/> is one file holding a JSON array (stream, property); false for a glob.</summary>
    public bool GroupsAreArray => !Groups.Contains('*', StringComparison.Ordinal);

    /// <summary>
    /// The files a <c>dir/*.json</c> glob names under <paramref name="root"/>, sorted by file name (ordinal), which is
    /// the order upstream's loaders see (<c>embed.FS.ReadDir</c> sorts by name). Only that glob shape is supported.
    /// </summary>
    public static IReadOnlyList<string> Expand(string root, string glob)
    {
        int star = glob.LastIndexOf('/');
        string directory = star < 0 ? string.Empty : glob[..star];
        string pattern = glob[(star + 1)..];
        if (pattern != "*.json" || directory.Contains('*', StringComparison.Ordinal))
        {
            throw new FormatException($"seed.json: unsupported schema glob '{glob}' (expected 'dir/*.json').");
        }

        string fullDirectory = Path.Combine(root, directory.Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(fullDirectory))
        {
            throw new DirectoryNotFoundException($"seed.json: schema folder '{directory}' is missing under {root}.");
        }

        List<string> files = [.. Directory.EnumerateFiles(fullDirectory, "*.json").Select(f => $"{directory}/{Path.GetFileName(f)}")];
        files.Sort(StringComparer.Ordinal);
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"seed.json: schema glob '{glob}' matches no file under {root}.");
        }

        return files;
    }
}
