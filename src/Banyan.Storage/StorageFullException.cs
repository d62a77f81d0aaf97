namespace Banyan.Storage;

/// <summary>
/// A write could not be made durable because the disk (or the user's quota) is full. Nothing
/// acknowledged before is lost; the write that raised this was not acknowledged and may be
/// retried once space is freed.
/// </summary>
public sealed class StorageFullException : IOException
{
    /// <summary>Creates the exception for the file that could not be written.</summary>
    /// <param name="filePath">The file being written when the disk filled up.</param>
    /// <param name="innerException">The operating system's error.</param>
    public StorageFullException(string filePath, IOException innerException)
        : base($"disk full while writing '{filePath}': the write was not acknowledged; free space and retry", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Creates the exception as it was raised elsewhere, its message given (a copy that crossed processes).</summary>
    /// <param name="filePath">The file being written when the disk filled up.</param>
    /// <param name="message">The original's message.</param>
    /// <param name="innerException">The original's cause, or null.</param>
    public StorageFullException(string filePath, string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Not for use: the file is required.</summary>
    public StorageFullException() : base("disk full")
    {
        FilePath = "(unknown)";
    }

    /// <summary>Not for use: the file is required.</summary>
    public StorageFullException(string message) : base(message)
    {
        FilePath = "(unknown)";
    }

    /// <summary>Not for use: the file is required.</summary>
    public StorageFullException(string message, Exception innerException) : base(message, innerException)
    {
        FilePath = "(unknown)";
    }

    /// <summary>The file being written when the disk filled up.</summary>
    public string FilePath { get; }
}
