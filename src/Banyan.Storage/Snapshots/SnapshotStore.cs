using Banyan.Storage.Durability;

namespace Banyan.Storage.Snapshots;

/// <summary>
/// The snapshot files and part folders of one shard directory. A snapshot is installed
/// atomically: written to <c>&lt;name&gt;.tmp</c>, fsynced, renamed, and the directory fsynced.
/// The two newest snapshots are kept, so that a newest one damaged on disk can fall back to the
/// one before; the shard therefore keeps the parts and WAL records that one needs too.
/// </summary>
public sealed class SnapshotStore
{
    /// <summary>Suffix given to snapshot files that failed to load, so they are kept for inspection but never read again.</summary>
    public const string RejectedSuffix = ".corrupt";

    /// <summary>Creates the store for <paramref name="directory"/> (created when missing).</summary>
    public SnapshotStore(string directory)
    {
        DirectoryPath = directory;
        DurableDirectory.Create(directory);
    }

    /// <summary>The shard directory.</summary>
    public string DirectoryPath { get; }

    /// <summary>The folder name of part <paramref name="partId"/>: 16 lower-case hex digits.</summary>
    public static string PartFolderName(long partId) => HexFileName.Format(partId);

    /// <summary>The full path of part <paramref name="partId"/>'s folder.</summary>
    public string PartPath(long partId) => Path.Combine(DirectoryPath, PartFolderName(partId));

    /// <summary>
    /// Finds the newest snapshot that decodes and whose parts all exist, falling back to older
    /// ones. Snapshot files that fail are renamed to <c>*.corrupt</c>. Also reports the highest
    /// id used by any file or folder, so new ids never collide.
    /// </summary>
    public SnapshotLoadResult Load()
    {
        List<long> epochs = [];
        long highestId = 0;
        foreach (string path in Directory.EnumerateFileSystemEntries(DirectoryPath))
        {
            string name = Path.GetFileName(path);
            if (SnapshotFile.TryParseFileName(name, out long epoch))
            {
                epochs.Add(epoch);
                highestId = Math.Max(highestId, epoch);
            }
            else if (TryParsePartFolder(name, out long partId))
            {
                highestId = Math.Max(highestId, partId);
            }
        }

        epochs.Sort();
        ShardSnapshotRecord? current = null;
        ShardSnapshotRecord? previous = null;
        List<string> rejected = [];
        for (int i = epochs.Count - 1; i >= 0 && previous is null; i--)
        {
            string path = Path.Combine(DirectoryPath, SnapshotFile.FileName(epochs[i]));
            string? problem = null;
            ShardSnapshotRecord? record = null;
            try
            {
                record = SnapshotFile.Decode(path, File.ReadAllBytes(path));
                if (record.Epoch != epochs[i])
                {
                    problem = $"epoch {record.Epoch} inside does not match the file name";
                }
                else
                {
                    foreach (long id in record.PartIds)
                    {
                        if (!Directory.Exists(PartPath(id)))
                        {
                            problem = $"part folder '{PartFolderName(id)}' it lists is missing";
                            break;
                        }
                    }
                }
            }
            catch (StorageCorruptionException ex)
            {
                problem = ex.Message;
            }

            if (problem is not null)
            {
                rejected.Add($"{path}: {problem}");
                FileSystem.At(path).MoveFile(path, path + RejectedSuffix, overwrite: true);
                continue;
            }

            if (current is null)
            {
                current = record;
            }
            else
            {
                previous = record;
            }
        }

        if (rejected.Count > 0)
        {
            DirectorySync.Sync(DirectoryPath);
        }

        return new SnapshotLoadResult(current, previous, rejected, highestId);
    }

    /// <summary>
    /// Writes <paramref name="record"/> durably and atomically, then deletes snapshot files older
    /// than <paramref name="keepPreviousEpoch"/> (0 keeps none but the new one).
    /// </summary>
    public void Install(ShardSnapshotRecord record, long keepPreviousEpoch)
    {
        ArgumentNullException.ThrowIfNull(record);
        string path = Path.Combine(DirectoryPath, SnapshotFile.FileName(record.Epoch));
        AtomicFile.Write(path, SnapshotFile.Encode(record), overwrite: false);

        bool deleted = false;
        foreach (string file in Directory.EnumerateFiles(DirectoryPath, "*" + SnapshotFile.FileExtension))
        {
            if (SnapshotFile.TryParseFileName(Path.GetFileName(file), out long epoch) && epoch < record.Epoch && epoch != keepPreviousEpoch)
            {
                FileSystem.At(file).DeleteFile(file);
                deleted = true;
            }
        }

        if (deleted)
        {
            DirectorySync.Sync(DirectoryPath);
        }
    }

    /// <summary>
    /// Deletes part folders not in <paramref name="keepPartIds"/> and every leftover
    /// <c>*.tmp</c> file or folder (an interrupted flush, merge or snapshot write).
    /// Returns the number of entries removed.
    /// </summary>
    public int RemoveUnreferenced(IReadOnlySet<long> keepPartIds)
    {
        ArgumentNullException.ThrowIfNull(keepPartIds);
        int removed = 0;
        foreach (string path in Directory.EnumerateFileSystemEntries(DirectoryPath))
        {
            string name = Path.GetFileName(path);
            bool doomed = name.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal)
                || (TryParsePartFolder(name, out long id) && !keepPartIds.Contains(id));
            if (!doomed)
            {
                continue;
            }

            if (Directory.Exists(path))
            {
                FileSystem.At(path).DeleteDirectory(path);
            }
            else
            {
                FileSystem.At(path).DeleteFile(path);
            }

            removed++;
        }

        if (removed > 0)
        {
            DirectorySync.Sync(DirectoryPath);
        }

        return removed;
    }

    /// <summary>True when <paramref name="name"/> is a part folder name (16 hex digits).</summary>
    public static bool TryParsePartFolder(string name, out long partId)
    {
        return HexFileName.TryParse(name, string.Empty, out partId);
    }
}
