namespace Banyan.Storage;

/// <summary>
/// Bytes read from disk are not what Banyan wrote: a bad magic number, an unknown format
/// version, a checksum mismatch, a length or offset out of range, or a truncated file.
/// Always names the file and the byte offset where the problem was found, so an operator
/// can tell which part or log to repair or drop.
/// </summary>
public sealed class StorageCorruptionException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/> at <paramref name="offset"/>.</summary>
    /// <param name="filePath">The file whose bytes are wrong (full path, or part folder + file name).</param>
    /// <param name="offset">Byte offset in that file where the bad bytes start; -1 when unknown.</param>
    /// <param name="detail">What was expected and what was found.</param>
    public StorageCorruptionException(string filePath, long offset, string detail)
        : base($"corrupt data in '{filePath}' at offset {offset}: {detail}")
    {
        FilePath = filePath;
        Offset = offset;
        Detail = detail;
    }

    /// <summary>Creates the exception with an inner cause (for example a decompression failure).</summary>
    public StorageCorruptionException(string filePath, long offset, string detail, Exception innerException)
        : base($"corrupt data in '{filePath}' at offset {offset}: {detail}", innerException)
    {
        FilePath = filePath;
        Offset = offset;
        Detail = detail;
    }

    /// <summary>Not for use: the file and offset are required.</summary>
    public StorageCorruptionException() : this("(unknown)", -1, "unspecified")
    {
    }

    /// <summary>Not for use: the file and offset are required.</summary>
    public StorageCorruptionException(string message) : this("(unknown)", -1, message)
    {
    }

    /// <summary>Not for use: the file and offset are required.</summary>
    public StorageCorruptionException(string message, Exception innerException) : this("(unknown)", -1, message, innerException)
    {
    }

    /// <summary>The file whose bytes are wrong.</summary>
    public string FilePath { get; }

    /// <summary>Byte offset in <see cref="FilePath"/> where the bad bytes start; -1 when unknown.</summary>
    public long Offset { get; }

    /// <summary>What was expected and what was found.</summary>
    public string Detail { get; }
}
