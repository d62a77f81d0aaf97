namespace Banyan.Storage.Durability;

/// <summary>
/// The engine's one door for every change it makes to the file system: creating, writing, syncing,
/// truncating, renaming and deleting files, creating, renaming and deleting folders, and fsyncing
/// folders. Reads (<c>File.ReadAllBytes</c>, read-only handles, listings) go to the files directly.
/// </summary>
/// <remarks>
/// <para>Production code always gets <see cref="Real"/>: real files, one virtual call per operation
/// on top of the system call. The seam exists so tests can put a file system under a folder that
/// knows what each fsync made durable and can cut the power, in the manner of Garnet's
/// <c>SimulatedFlakyDevice</c> (a device wrapper that injects faults): a process kill keeps what the
/// kernel holds in its page cache, a power loss keeps only what was fsynced, and only a layer that
/// remembers the difference can tell a missing fsync from a correct one.</para>
/// <para>Callers find the file system of a path with <see cref="At"/>. A test <see cref="Mount"/>s its
/// own under its temporary folder; everything below that folder then goes through it, whatever
/// thread or object does the operation, and nothing else is affected (tests run in parallel in
/// other folders). The engine does not thread a file system through its constructors: the seam is
/// for tests, and a mount table keeps the engine's signatures free of it. The architecture test
/// <c>No_file_is_changed_outside_the_durability_kit</c> checks that no engine code bypasses it.</para>
/// </remarks>
public abstract class FileSystem
{
    private static readonly object s_mountGate = new();
    private static volatile MountPoint[] s_mounts = [];

    /// <summary>Real files: the operating system's calls, fsync included.</summary>
    public static FileSystem Real { get; } = new RealFileSystem();

    /// <summary>
    /// The file system that holds <paramref name="path"/>: the one mounted over the deepest mount
    /// point above it, or <see cref="Real"/> (always, unless a test mounted one).
    /// </summary>
    public static FileSystem At(string path)
    {
        MountPoint[] mounts = s_mounts;
        if (mounts.Length == 0)
        {
            return Real;
        }

        return Find(mounts, path);
    }

    /// <summary>
    /// Makes <paramref name="fileSystem"/> the file system of <paramref name="root"/> and everything
    /// under it until the returned handle is disposed. For tests.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another file system is mounted at <paramref name="root"/>.</exception>
    public static IDisposable Mount(string root, FileSystem fileSystem)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(fileSystem);
        MountPoint mount = new(WithSeparator(Path.GetFullPath(root)), fileSystem);
        lock (s_mountGate)
        {
            foreach (MountPoint existing in s_mounts)
            {
                if (string.Equals(existing.Root, mount.Root, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"a file system is already mounted at '{root}'");
                }
            }

            s_mounts = [.. s_mounts, mount];
        }

        return new Unmounter(mount);
    }

    /// <summary>Creates the file (or, with <paramref name="overwrite"/>, empties an existing one) and opens it for reading and writing.</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false, or another I/O error.</exception>
    public abstract WritableFile CreateFile(string path, bool overwrite);

    /// <summary>Opens an existing file for reading and writing.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public abstract WritableFile OpenFile(string path);

    /// <summary>Renames a file; the rename is durable once the folders involved are fsynced.</summary>
    public abstract void MoveFile(string source, string destination, bool overwrite);

    /// <summary>Deletes a file if it exists; durable once its folder is fsynced.</summary>
    public abstract void DeleteFile(string path);

    /// <summary>Creates a folder and its missing parents; durable once each parent is fsynced (see <see cref="DurableDirectory"/>).</summary>
    public abstract void CreateDirectory(string path);

    /// <summary>Renames a folder; durable once the folders involved are fsynced.</summary>
    public abstract void MoveDirectory(string source, string destination);

    /// <summary>Deletes a folder with everything in it, if it exists.</summary>
    public abstract void DeleteDirectory(string path);

    /// <summary>Fsyncs a folder, making the creations, renames and deletions of its entries durable.</summary>
    public abstract void SyncDirectory(string path);

    private static FileSystem Find(MountPoint[] mounts, string path)
    {
        string full = WithSeparator(Path.GetFullPath(path));
        MountPoint? best = null;
        foreach (MountPoint mount in mounts)
        {
            if (full.StartsWith(mount.Root, StringComparison.Ordinal) && (best is null || mount.Root.Length > best.Root.Length))
            {
                best = mount;
            }
        }

        return best?.FileSystem ?? Real;
    }

    private static string WithSeparator(string path) =>
        Path.EndsInDirectorySeparator(path) ? path : path + Path.DirectorySeparatorChar;

    private sealed record MountPoint(string Root, FileSystem FileSystem);

    private sealed class Unmounter(MountPoint mount) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            lock (s_mountGate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                s_mounts = Array.FindAll(s_mounts, m => !ReferenceEquals(m, mount));
            }
        }
    }
}
