using System.Runtime.InteropServices;

namespace Banyan.Storage.Durability;

/// <summary>
/// Makes a directory's entries durable: after a file is created, renamed or deleted, the
/// directory itself must be fsynced or the change may vanish on power loss (POSIX says
/// nothing about directory entries surviving otherwise). .NET has no API for this, so on
/// Unix it opens the directory read-only and calls <c>fsync(2)</c>; on Windows, where NTFS
/// journals metadata, it does nothing.
/// </summary>
public static partial class DirectorySync
{
    private const int ReadOnlyFlag = 0; // O_RDONLY

    /// <summary>Fsyncs the directory <paramref name="path"/> through the <see cref="FileSystem"/> that holds it.</summary>
    /// <exception cref="IOException">The directory cannot be opened or synced.</exception>
    public static void Sync(string path) => FileSystem.At(path).SyncDirectory(path);

    // The system call itself, for the real file system.
    internal static void SyncNow(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Open(path, ReadOnlyFlag);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open directory '{path}' to fsync it (errno {errno})", errno);
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fsync of directory '{path}' failed (errno {errno})", errno);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
