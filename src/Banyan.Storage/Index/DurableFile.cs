using Banyan.Storage.Durability;

namespace Banyan.Storage.Index;

/// <summary>
/// Write-to-temp, fsync, rename, fsync-the-directory: after <see cref="WriteAtomically"/> returns the
/// file exists with all its bytes, and after a crash at any point it either exists whole or not at all
/// (a leftover <c>.tmp</c> is cleaned up on open). A full disk raises <see cref="StorageFullException"/>
/// and leaves no temp file behind.
/// </summary>
internal static class DurableFile
{
    public const string TempSuffix = ".tmp";

    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        string temp = path + TempSuffix;
        try
        {
            using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException ex)
        {
            // The partial temp file would hold on to space (a full disk stays full) until the next open.
            TryDelete(temp);
            if (DiskFull.Is(ex))
            {
                throw new StorageFullException(temp, ex);
            }

            throw;
        }

        File.Move(temp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Removed at the next open as a *.tmp leftover.
        }
    }

    /// <summary>Makes renames and deletions in <paramref name="directory"/> durable.</summary>
    public static void SyncDirectory(string directory) => DirectorySync.Sync(directory);
}
