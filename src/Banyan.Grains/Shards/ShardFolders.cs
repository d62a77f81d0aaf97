namespace Banyan.Grains.Shards;

/// <summary>
/// Deletes a dropped shard's folder, and its segment folder (<c>&lt;group&gt;/seg-&lt;yyyyMMddHH&gt;/</c>) with the
/// segment's last shard.
/// </summary>
/// <remarks>
/// A group drops the shards of a segment at once, each on its own silo thread: a check that the segment is empty
/// followed by its deletion would race with the other shards' (one deletes it between another's check and delete,
/// which then fails with the folder gone; such a drop left its grain active with its timers ticking on the closed
/// shard). So the segment folder is deleted without a check, and whatever another shard did in between is read from
/// the outcome: gone already, or not empty because a shard of it is still there, both leave the drop done.
/// </remarks>
public static class ShardFolders
{
    /// <summary>Deletes <paramref name="shardFolder"/> (if it exists) and then its parent if that is left empty.</summary>
    /// <exception cref="IOException">A folder could not be deleted for another reason than the above.</exception>
    public static void Delete(string shardFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardFolder);
        try
        {
            Directory.Delete(shardFolder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Deleted before: a drop retried after a later step failed.
        }

        if (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(shardFolder)) is not { Length: > 0 } segment)
        {
            return;
        }

        // Three tries: a failure because another shard was still there, when that shard's folder is gone by the time the
        // failure is looked at, is tried again (the other shard may have checked before this one's folder went).
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(segment, recursive: false);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return; // another shard of the segment was the last and took it
            }
            catch (IOException) when (IsGoneOrNotEmpty(segment))
            {
                return; // another shard of the segment is still there and takes it when it goes, or took it meanwhile
            }
            catch (IOException) when (attempt < 3)
            {
            }
        }
    }

    private static bool IsGoneOrNotEmpty(string folder)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(folder).Any();
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
    }

    /// <summary>
    /// The bytes of the files under <paramref name="folder"/>, at one moment: files a flush or merge removes while they
    /// are counted are left out, and a folder that is gone counts 0.
    /// </summary>
    public static long Bytes(string folder)
    {
        long bytes = 0;
        try
        {
            foreach (FileInfo file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                try
                {
                    bytes += file.Length;
                }
                catch (FileNotFoundException)
                {
                    // Removed since it was listed.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            return bytes;
        }

        return bytes;
    }
}
