using System.Diagnostics;
using Banyan.Storage.Durability;

namespace Banyan.Storage.CrashChild;

/// <summary>
/// Real files, mounted over the child's directory, with a kill point: the <c>n</c>-th file operation
/// matching a named point (<see cref="Matches"/>) kills the process with SIGKILL, before or after the
/// operation. Random kill times seldom land in short windows (80 sampled rounds landed none in a
/// snapshot write); a named point lands there every time. Prints <c>KILLPOINT point n operation path</c>
/// first, so the test knows where the round ended.
/// </summary>
internal sealed class KillPointFileSystem : FileSystem
{
    private readonly FileSystem _real = Real;
    private readonly string _root;
    private readonly string _point;
    private readonly int _n;
    private readonly bool _after;
    private readonly AckWriter _output;
    private int _count;

    /// <param name="root">The folder it is mounted over (paths are reported relative to it).</param>
    /// <param name="spec"><c>point:n</c> or <c>point:n:after</c>; points: snapshot, part, wal, index, open, sync, any.</param>
    /// <param name="output">Where the KILLPOINT line goes.</param>
    public KillPointFileSystem(string root, string spec, AckWriter output)
    {
        _root = Path.GetFullPath(root);
        string[] parts = spec.Split(':');
        if (parts.Length is < 2 or > 3 || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out _n) || _n < 1
            || (parts.Length == 3 && parts[2] != "after"))
        {
            throw new ArgumentException($"kill point '{spec}' is not point:n[:after]", nameof(spec));
        }

        _point = parts[0];
        _after = parts.Length == 3;
        _output = output;
    }

    /// <summary>Set while <c>Shard.Open</c> runs (the <c>open</c> point: kills during recovery).</summary>
    public volatile bool Opening;

    public override WritableFile CreateFile(string path, bool overwrite) =>
        new KillPointFile(this, At("create", path, () => _real.CreateFile(path, overwrite)));

    public override WritableFile OpenFile(string path) => new KillPointFile(this, At("openfile", path, () => _real.OpenFile(path)));

    public override void MoveFile(string source, string destination, bool overwrite) =>
        At("move", destination, () => _real.MoveFile(source, destination, overwrite), source);

    public override void DeleteFile(string path) => At("delete", path, () => _real.DeleteFile(path));

    public override void CreateDirectory(string path) => At("mkdir", path, () => _real.CreateDirectory(path));

    public override void MoveDirectory(string source, string destination) =>
        At("movedir", destination, () => _real.MoveDirectory(source, destination), source);

    public override void DeleteDirectory(string path) => At("rmdir", path, () => _real.DeleteDirectory(path));

    public override void SyncDirectory(string path) => At("syncdir", path, () => _real.SyncDirectory(path));

    private void At(string operation, string path, Action action, string? source = null) =>
        At(operation, path, () =>
        {
            action();
            return 0;
        }, source);

    private T At<T>(string operation, string path, Func<T> action, string? source = null)
    {
        if (!Matches(operation, path) && (source is null || !Matches(operation, source)))
        {
            return action();
        }

        if (Interlocked.Increment(ref _count) != _n)
        {
            return action();
        }

        T result = default!;
        if (_after)
        {
            result = action();
        }

        _output.Ack($"KILLPOINT {_point} {_n} {operation}{(_after ? "-after" : string.Empty)} {Path.GetRelativePath(_root, path)}");
        using (Process self = Process.GetCurrentProcess())
        {
            self.Kill(); // SIGKILL: no finalizer, no flush; the kernel keeps what was written, as for any kill
        }

        Thread.Sleep(Timeout.Infinite);
        return result;
    }

    private bool Matches(string operation, string path)
    {
        string relative = Path.GetRelativePath(_root, path).Replace('\\', '/');
        string name = Path.GetFileName(relative);
        return _point switch
        {
            "snapshot" => name.EndsWith(".snp", StringComparison.Ordinal) || name.EndsWith(".snp.tmp", StringComparison.Ordinal),
            "part" => IsPartStaging(relative) || (operation == "movedir" && IsPartFolder(name)),
            "wal" => relative.StartsWith("wal/", StringComparison.Ordinal),
            "index" => relative.StartsWith("idx/", StringComparison.Ordinal) || relative.StartsWith("sidx/", StringComparison.Ordinal),
            "open" => Opening,
            "sync" => operation is "sync" or "syncdir",
            "any" => true,
            _ => throw new ArgumentException($"unknown kill point '{_point}'"),
        };
    }

    // A part being written: <16 hex digits>.tmp/...
    private static bool IsPartStaging(string relative)
    {
        int slash = relative.IndexOf('/', StringComparison.Ordinal);
        string first = slash < 0 ? relative : relative[..slash];
        return first.Length == HexFileName.Digits + 4 && first.EndsWith(".tmp", StringComparison.Ordinal) && IsPartFolder(first[..HexFileName.Digits]);
    }

    private static bool IsPartFolder(string name) => HexFileName.TryParse(name, string.Empty, out long _);

    private sealed class KillPointFile(KillPointFileSystem owner, WritableFile inner) : WritableFile(inner.Path)
    {
        public override long Length => inner.Length;

        public override void Write(ReadOnlySpan<byte> source, long offset)
        {
            byte[] copy = source.ToArray();
            owner.At("write", Path, () => inner.Write(copy, offset));
        }

        public override int Read(Span<byte> destination, long offset) => inner.Read(destination, offset);

        public override void SetLength(long length) => owner.At("truncate", Path, () => inner.SetLength(length));

        public override void Sync() => owner.At("sync", Path, inner.Sync);

        protected override void Dispose(bool disposing) => inner.Dispose();
    }
}
