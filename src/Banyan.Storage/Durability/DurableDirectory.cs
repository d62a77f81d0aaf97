namespace Banyan.Storage.Durability;

/// <summary>
/// Creates folders that survive a power loss: a new folder is an entry in its parent, and that entry
/// is durable only once the parent is fsynced. Without it a shard's <c>wal/</c> folder, and the
/// acknowledged records inside it, could vanish with the power even though every record was fsynced.
/// </summary>
public static class DurableDirectory
{
    /// <summary>Creates <paramref name="path"/> and its missing parents, fsyncing the parent of each folder created.</summary>
    public static void Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Directory.Exists(full))
        {
            return;
        }

        var missing = new Stack<string>();
        for (string? folder = full; folder is not null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            missing.Push(folder);
        }

        while (missing.Count > 0)
        {
            string folder = missing.Pop();
            FileSystem.At(folder).CreateDirectory(folder);
            string? parent = Path.GetDirectoryName(folder);
            if (parent is not null)
            {
                DirectorySync.Sync(parent);
            }
        }
    }
}
