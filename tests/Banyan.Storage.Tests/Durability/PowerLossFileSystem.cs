using Banyan.Storage.Durability;

namespace Banyan.Storage.Tests.Durability;

/// <summary>One file operation the engine asked for, as the power-loss file system saw it.</summary>
/// <param name="Index">1 for the first operation after mounting, then 2, 3, ...</param>
/// <param name="Kind">create, open, write, truncate, sync, move, delete, mkdir, movedir, rmdir, syncdir.</param>
/// <param name="Path">The file or folder (the destination of a rename).</param>
public readonly record struct FileOperation(long Index, string Kind, string Path);

/// <summary>The power is off: every file operation fails, as on a machine that lost power.</summary>
public sealed class PowerLossException(string message) : IOException(message);

/// <summary>
/// A file system for tests that can lose power, in the manner of Garnet's <c>SimulatedFlakyDevice</c>
/// (a wrapper over the real device that injects faults). Mounted over a folder, it does every
/// operation on the real files (so the engine reads what it wrote, as from the page cache) and keeps a
/// model of what is durable, in the strict POSIX sense:
/// <list type="bullet">
/// <item>a file's bytes and length are durable as of its last fsync (never fsynced: empty);</item>
/// <item>a folder's entries (creations, renames, deletions of files and folders in it) are durable as
/// of its last fsync; a new folder's own entries start empty.</item>
/// </list>
/// <see cref="CutPower"/> (or a trigger given to <see cref="CutPowerWhen"/>) rewrites the folder to
/// exactly that durable state and makes every later operation fail. With <see cref="TornWrites"/>, a
/// random half of the not-yet-fsynced 512-byte sectors of each file survive too, as a disk that wrote
/// some of its queue before the power went.
/// </summary>
/// <remarks>
/// Operations are serialized (one lock), so "everything written before the fsync" is well defined.
/// <see cref="SkipSync"/> turns chosen fsyncs into no-ops: a test's way to remove an fsync from the
/// engine and see the power loss catch it.
/// </remarks>
public sealed class PowerLossFileSystem : FileSystem, IDisposable
{
    private const int Sector = 512;
    private readonly object _gate = new();
    private readonly string _root;
    private readonly DirectoryNode _rootNode;
    private readonly IDisposable _mount;
    private readonly Random _random;
    private Func<FileOperation, bool>? _trigger;
    private long _operations;
    private bool _off;

    private PowerLossFileSystem(string root, int seed, bool tornWrites, Func<string, bool>? skipSync)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _random = new Random(seed);
        TornWrites = tornWrites;
        SkipSync = skipSync;
        Directory.CreateDirectory(_root);
        _rootNode = Scan(_root);
        _mount = Mount(_root, this);
    }

    /// <summary>Mounts a power-loss file system over <paramref name="root"/>; what is there now counts as durable.</summary>
    /// <param name="root">The folder (created when missing).</param>
    /// <param name="seed">Seeds the choice of surviving sectors with <paramref name="tornWrites"/>.</param>
    /// <param name="tornWrites">See <see cref="TornWrites"/>.</param>
    /// <param name="skipSync">See <see cref="SkipSync"/>.</param>
    public static PowerLossFileSystem MountAt(string root, int seed = 0, bool tornWrites = false, Func<string, bool>? skipSync = null) =>
        new(root, seed, tornWrites, skipSync);

    /// <summary>Operations done so far.</summary>
    public long Operations
    {
        get
        {
            lock (_gate)
            {
                return _operations;
            }
        }
    }

    /// <summary>True once the power was cut.</summary>
    public bool IsOff
    {
        get
        {
            lock (_gate)
            {
                return _off;
            }
        }
    }

    /// <summary>The operation during which the power was cut (it did not happen), or null.</summary>
    public FileOperation? CutAt { get; private set; }

    /// <summary>Let a random half of the sectors written but not fsynced survive the power loss (default: none does).</summary>
    public bool TornWrites { get; }

    /// <summary>
    /// Fsyncs of files (by the path they were opened under) or folders for which this returns true do
    /// nothing: a removed fsync.
    /// </summary>
    public Func<string, bool>? SkipSync { get; }

    /// <summary>Cuts the power before the first operation for which <paramref name="trigger"/> returns true.</summary>
    public void CutPowerWhen(Func<FileOperation, bool> trigger)
    {
        lock (_gate)
        {
            _trigger = trigger;
        }
    }

    /// <summary>Cuts the power now: the folder holds what was durable, and every later operation fails.</summary>
    public void CutPower()
    {
        lock (_gate)
        {
            PowerOff(null);
        }
    }

    /// <summary>Unmounts; the files stay as they are.</summary>
    public void Dispose() => _mount.Dispose();

    public override WritableFile CreateFile(string path, bool overwrite) => Do("create", path, () =>
    {
        WritableFile inner = Real.CreateFile(path, overwrite);
        (DirectoryNode parent, string name) = Parent(path);
        if (parent.Current.TryGetValue(name, out Node? existing) && existing is FileNode same)
        {
            same.SetLength(0); // O_TRUNC: the same file, emptied
            return new TrackedFile(this, inner, same);
        }

        FileNode node = new([]);
        parent.Current[name] = node;
        return new TrackedFile(this, inner, node);
    });

    public override WritableFile OpenFile(string path) => Do("open", path, () =>
    {
        WritableFile inner = Real.OpenFile(path);
        (DirectoryNode parent, string name) = Parent(path);
        return new TrackedFile(this, inner, (FileNode)parent.Current[name]);
    });

    public override void MoveFile(string source, string destination, bool overwrite) => Do("move", destination, () =>
    {
        Real.MoveFile(source, destination, overwrite);
        Move(source, destination);
        return 0;
    });

    public override void DeleteFile(string path) => Do("delete", path, () =>
    {
        Real.DeleteFile(path);
        (DirectoryNode parent, string name) = Parent(path);
        parent.Current.Remove(name);
        return 0;
    });

    public override void CreateDirectory(string path) => Do("mkdir", path, () =>
    {
        Real.CreateDirectory(path);
        DirectoryNode node = _rootNode;
        foreach (string part in Parts(path))
        {
            if (!node.Current.TryGetValue(part, out Node? child))
            {
                child = new DirectoryNode();
                node.Current[part] = child;
            }

            node = (DirectoryNode)child;
        }

        return 0;
    });

    public override void MoveDirectory(string source, string destination) => Do("movedir", destination, () =>
    {
        Real.MoveDirectory(source, destination);
        Move(source, destination);
        return 0;
    });

    public override void DeleteDirectory(string path) => Do("rmdir", path, () =>
    {
        Real.DeleteDirectory(path);
        (DirectoryNode parent, string name) = Parent(path);
        parent.Current.Remove(name);
        return 0;
    });

    public override void SyncDirectory(string path) => Do("syncdir", path, () =>
    {
        Real.SyncDirectory(path);
        if (SkipSync?.Invoke(path) != true)
        {
            DirectoryNode node = Resolve(path) as DirectoryNode ?? throw new DirectoryNotFoundException($"'{path}' is not a folder the model knows");
            node.Durable = new Dictionary<string, Node>(node.Current, StringComparer.Ordinal);
        }

        return 0;
    });

    private T Do<T>(string kind, string path, Func<T> operation)
    {
        lock (_gate)
        {
            if (_off)
            {
                throw new PowerLossException($"the power is off ({kind} '{path}')");
            }

            FileOperation op = new(++_operations, kind, Path.GetFullPath(path));
            if (_trigger?.Invoke(op) == true)
            {
                PowerOff(op);
                throw new PowerLossException($"the power went off at operation {op.Index} ({kind} '{path}')");
            }

            return operation();
        }
    }

    // Caller holds _gate.
    private void PowerOff(FileOperation? at)
    {
        if (_off)
        {
            return;
        }

        _off = true;
        CutAt = at;
        foreach (string entry in Directory.EnumerateFileSystemEntries(_root))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }

        Restore(_root, _rootNode);
    }

    private void Restore(string path, DirectoryNode node)
    {
        foreach ((string name, Node child) in node.Durable)
        {
            string childPath = Path.Combine(path, name);
            if (child is FileNode file)
            {
                File.WriteAllBytes(childPath, TornWrites ? file.Torn(_random) : file.Durable);
            }
            else
            {
                Directory.CreateDirectory(childPath);
                Restore(childPath, (DirectoryNode)child);
            }
        }
    }

    private void Move(string source, string destination)
    {
        (DirectoryNode from, string fromName) = Parent(source);
        (DirectoryNode to, string toName) = Parent(destination);
        Node node = from.Current[fromName];
        from.Current.Remove(fromName);
        to.Current[toName] = node;
    }

    private Node? Resolve(string path)
    {
        Node node = _rootNode;
        foreach (string part in Parts(path))
        {
            if (node is not DirectoryNode directory || !directory.Current.TryGetValue(part, out Node? child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private (DirectoryNode Parent, string Name) Parent(string path)
    {
        string[] parts = Parts(path);
        if (parts.Length == 0)
        {
            throw new InvalidOperationException($"bug: the engine changed the mount root '{_root}' itself");
        }

        string parentPath = Path.Combine([_root, .. parts[..^1]]);
        return (Resolve(parentPath) as DirectoryNode ?? throw new DirectoryNotFoundException($"'{parentPath}' is not a folder the model knows"), parts[^1]);
    }

    private string[] Parts(string path)
    {
        string relative = Path.GetRelativePath(_root, Path.GetFullPath(path));
        if (relative == ".")
        {
            return [];
        }

        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new InvalidOperationException($"bug: '{path}' is not under the mount root '{_root}'");
        }

        return relative.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
    }

    private static DirectoryNode Scan(string path)
    {
        DirectoryNode node = new();
        foreach (string entry in Directory.EnumerateFileSystemEntries(path))
        {
            node.Current[Path.GetFileName(entry)] = Directory.Exists(entry) ? Scan(entry) : new FileNode(File.ReadAllBytes(entry));
        }

        node.Durable = new Dictionary<string, Node>(node.Current, StringComparer.Ordinal);
        return node;
    }

    private abstract class Node;

    private sealed class DirectoryNode : Node
    {
        public Dictionary<string, Node> Current { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Node> Durable { get; set; } = new(StringComparer.Ordinal);
    }

    // A file's bytes: as written (Current, what the kernel holds) and as of its last fsync (Durable).
    private sealed class FileNode(byte[] content) : Node
    {
        private byte[] _current = (byte[])content.Clone();
        private int _length = content.Length;

        public byte[] Durable { get; private set; } = content;

        public void Write(ReadOnlySpan<byte> source, long offset)
        {
            int end = checked((int)offset + source.Length);
            Grow(end);
            source.CopyTo(_current.AsSpan((int)offset));
            _length = Math.Max(_length, end);
        }

        public void SetLength(long length)
        {
            Grow((int)length);
            if (length > _length)
            {
                _current.AsSpan(_length, (int)length - _length).Clear();
            }

            _length = (int)length;
        }

        public void Sync() => Durable = _current.AsSpan(0, _length).ToArray();

        // The durable bytes plus a random half of the sectors that differ: some of the queued writes landed.
        public byte[] Torn(Random random)
        {
            byte[] result = Durable;
            int sectors = (Math.Max(_length, Durable.Length) + Sector - 1) / Sector;
            for (int s = 0; s < sectors; s++)
            {
                int start = s * Sector;
                int currentEnd = Math.Min(_length, start + Sector);
                int durableEnd = Math.Min(Durable.Length, start + Sector);
                bool differs = currentEnd != durableEnd
                    || !_current.AsSpan(start, Math.Max(0, currentEnd - start)).SequenceEqual(Durable.AsSpan(start, Math.Max(0, durableEnd - start)));
                if (!differs || random.Next(2) == 0 || currentEnd <= start)
                {
                    continue;
                }

                if (result.Length < currentEnd)
                {
                    Array.Resize(ref result, currentEnd);
                }
                else if (ReferenceEquals(result, Durable))
                {
                    result = (byte[])Durable.Clone();
                }

                _current.AsSpan(start, currentEnd - start).CopyTo(result.AsSpan(start));
            }

            return result;
        }

        private void Grow(int size)
        {
            if (_current.Length < size)
            {
                Array.Resize(ref _current, Math.Max(size, _current.Length * 2));
            }
        }
    }

    private sealed class TrackedFile(PowerLossFileSystem owner, WritableFile inner, FileNode node) : WritableFile(inner.Path)
    {
        public override long Length => inner.Length;

        public override void Write(ReadOnlySpan<byte> source, long offset)
        {
            byte[] copy = source.ToArray();
            owner.Do("write", Path, () =>
            {
                inner.Write(copy, offset);
                node.Write(copy, offset);
                return 0;
            });
        }

        public override int Read(Span<byte> destination, long offset) => inner.Read(destination, offset);

        public override void SetLength(long length) => owner.Do("truncate", Path, () =>
        {
            inner.SetLength(length);
            node.SetLength(length);
            return 0;
        });

        public override void Sync() => owner.Do("sync", Path, () =>
        {
            inner.Sync();
            if (owner.SkipSync?.Invoke(Path) != true)
            {
                node.Sync();
            }

            return 0;
        });

        protected override void Dispose(bool disposing) => inner.Dispose();
    }
}
