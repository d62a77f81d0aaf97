using Microsoft.Win32.SafeHandles;

namespace Banyan.Storage.Durability;

/// <summary>
/// <see cref="FileSystem.Real"/>: each operation is the .NET call it names (<c>File.OpenHandle</c>,
/// <c>RandomAccess</c>, <c>File.Move</c>, ...), and a folder fsync is <c>fsync(2)</c> on the folder
/// (<see cref="DirectorySync"/>).
/// </summary>
internal sealed class RealFileSystem : FileSystem
{
    // FileShare.Delete: a file being written may be renamed (the WAL creates its files under a
    // temporary name) or deleted by the engine while open, as on Unix.
    private const FileShare Sharing = FileShare.Read | FileShare.Delete;

    public override WritableFile CreateFile(string path, bool overwrite) =>
        new RealWritableFile(path, File.OpenHandle(path, overwrite ? FileMode.Create : FileMode.CreateNew, FileAccess.ReadWrite, Sharing));

    public override WritableFile OpenFile(string path) =>
        new RealWritableFile(path, File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, Sharing));

    public override void MoveFile(string source, string destination, bool overwrite) => File.Move(source, destination, overwrite);

    public override void DeleteFile(string path) => File.Delete(path);

    public override void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public override void MoveDirectory(string source, string destination) => Directory.Move(source, destination);

    public override void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    public override void SyncDirectory(string path) => DirectorySync.SyncNow(path);

    private sealed class RealWritableFile(string path, SafeFileHandle handle) : WritableFile(path)
    {
        public override long Length => RandomAccess.GetLength(handle);

        public override void Write(ReadOnlySpan<byte> source, long offset) => RandomAccess.Write(handle, source, offset);

        public override int Read(Span<byte> destination, long offset) => RandomAccess.Read(handle, destination, offset);

        public override void SetLength(long length) => RandomAccess.SetLength(handle, length);

        public override void Sync() => RandomAccess.FlushToDisk(handle);

        protected override void Dispose(bool disposing) => handle.Dispose();
    }
}
