namespace Banyan.Storage.Durability;

/// <summary>
/// Recognises "no space left on device" among <see cref="IOException"/>s. On Unix .NET puts the
/// raw errno in <see cref="Exception.HResult"/> (ENOSPC = 28, EDQUOT = 122 on Linux); on Windows
/// it is the Win32 error wrapped as an HRESULT (ERROR_DISK_FULL = 112, ERROR_HANDLE_DISK_FULL = 39).
/// </summary>
public static class DiskFull
{
    private const int UnixNoSpace = 28;
    private const int LinuxQuotaExceeded = 122;
    private const int WindowsDiskFull = 112;
    private const int WindowsHandleDiskFull = 39;

    /// <summary>True when <paramref name="exception"/> says the disk (or quota) is full.</summary>
    public static bool Is(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        int code = exception.HResult & 0xFFFF;
        if (OperatingSystem.IsWindows())
        {
            return code is WindowsDiskFull or WindowsHandleDiskFull;
        }

        return code is UnixNoSpace or LinuxQuotaExceeded;
    }
}
