namespace Banyan.Storage.Durability;

/// <summary>
/// Writes a whole file so that after a crash at any point it is either there with all its bytes or
/// not there at all (in the manner of VictoriaMetrics' <c>fs.MustWriteAtomic</c>): the bytes go to
/// <c>&lt;path&gt;.tmp</c>, which is fsynced, renamed to <c>&lt;path&gt;</c>, and the directory is fsynced
/// so the rename itself survives a power loss. Leftover <c>*.tmp</c> files are never read; their
/// owners delete them when they open the directory.
/// </summary>
public static class AtomicFile
{
    /// <summary>Suffix of files and folders being written; whoever opens the directory deletes them.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically and durably.</summary>
    /// <param name="path">The final file path.</param>
    /// <param name="bytes">The whole content.</param>
    /// <param name="overwrite">Whether an existing file may be replaced; false makes an existing file an error.</param>
    /// <exception cref="StorageFullException">The disk is full; no temporary file is left behind.</exception>
    /// <exception cref="IOException">Any other I/O error.</exception>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool overwrite = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileSystem fileSystem = FileSystem.At(path);
        string temp = path + TempSuffix;
        try
        {
            using (WritableFile file = fileSystem.CreateFile(temp, overwrite: true))
            {
                file.Write(bytes, 0);
                file.Sync();
            }

            fileSystem.MoveFile(temp, path, overwrite);
        }
        catch (IOException ex)
        {
            // A partial temp file would hold on to space (a full disk stays full) until the next open.
            TryDelete(fileSystem, temp);
            if (DiskFull.Is(ex))
            {
                throw new StorageFullException(temp, ex);
            }

            throw;
        }

        DirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Deletes <paramref name="path"/> if it exists and fsyncs its directory, so the deletion is durable.</summary>
    public static void Delete(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            FileSystem.At(path).DeleteFile(path);
            DirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    /// <summary>Deletes every <c>*.tmp</c> file and folder directly in <paramref name="directory"/>; returns how many.</summary>
    public static int DeleteLeftovers(string directory)
    {
        int removed = 0;
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory, "*" + TempSuffix))
        {
            FileSystem fileSystem = FileSystem.At(entry);
            if (Directory.Exists(entry))
            {
                fileSystem.DeleteDirectory(entry);
            }
            else
            {
                fileSystem.DeleteFile(entry);
            }

            removed++;
        }

        if (removed > 0)
        {
            DirectorySync.Sync(directory);
        }

        return removed;
    }

    private static void TryDelete(FileSystem fileSystem, string path)
    {
        try
        {
            fileSystem.DeleteFile(path);
        }
        catch (IOException)
        {
            // Removed at the next open as a *.tmp leftover.
        }
    }
}
