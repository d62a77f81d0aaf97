using Banyan.Storage.Durability;
using Microsoft.Win32.SafeHandles;

namespace Banyan.Storage.CrashChild;

/// <summary>
/// A file that fills a small filesystem until the kernel answers ENOSPC, then gives back a chosen
/// number of bytes, so the next writes of the shard under test run into a real full disk.
/// Disposing deletes it, which frees the space again.
/// </summary>
internal sealed class Ballast : IDisposable
{
    private const int ChunkBytes = 64 * 1024;

    // Refuse to fill anything bigger: the workload must only ever fill the tmpfs the test mounted.
    private const long MaxFilesystemBytes = 64L << 20;

    private readonly string _path;
    private bool _deleted;

    private Ballast(string path) => _path = path;

    /// <summary>Fills the filesystem of <paramref name="mountPoint"/>, leaving about <paramref name="headroomBytes"/> free.</summary>
    public static Ballast Fill(string mountPoint, long headroomBytes)
    {
        RequireSmallFilesystem(mountPoint);
        string path = Path.Combine(mountPoint, "ballast");
        byte[] chunk = new byte[ChunkBytes];
        Array.Fill(chunk, (byte)0x5A);
        using (SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            long offset = 0;
            while (true)
            {
                try
                {
                    RandomAccess.Write(handle, chunk, offset);
                    offset += chunk.Length;
                }
                catch (IOException ex) when (DiskFull.Is(ex))
                {
                    break;
                }

                if (offset > MaxFilesystemBytes)
                {
                    throw new InvalidOperationException($"wrote {offset} bytes to '{path}' without filling its filesystem: refusing to go on");
                }
            }

            long length = RandomAccess.GetLength(handle);
            RandomAccess.SetLength(handle, Math.Max(0, length - headroomBytes));
        }

        return new Ballast(path);
    }

    /// <summary>Throws unless <paramref name="mountPoint"/> is the root of a filesystem of at most 64 MiB.</summary>
    public static long RequireSmallFilesystem(string mountPoint)
    {
        long total = new DriveInfo(mountPoint).TotalSize;
        if (total > MaxFilesystemBytes)
        {
            throw new InvalidOperationException($"'{mountPoint}' is on a filesystem of {total} bytes, not the small tmpfs the disk-full test mounts: refusing to fill it");
        }

        return total;
    }

    /// <summary>Deletes the ballast, freeing its space.</summary>
    public void Dispose()
    {
        if (!_deleted)
        {
            _deleted = true;
            File.Delete(_path);
        }
    }
}
