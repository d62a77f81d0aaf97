namespace Banyan.Storage.Durability;

/// <summary>
/// A file opened for writing through a <see cref="FileSystem"/>: positional writes, reads, truncation
/// and fsync. Written bytes reach the kernel at once (no buffering here; see <see cref="FileAppender"/>
/// for sequential writes), so a process kill keeps them, but only <see cref="Sync"/> makes them survive
/// a power loss.
/// </summary>
public abstract class WritableFile : IDisposable
{
    /// <summary>Creates the file object for <paramref name="path"/>.</summary>
    protected WritableFile(string path)
    {
        Path = path;
    }

    /// <summary>The path the file was opened under (a later rename does not change it).</summary>
    public string Path { get; }

    /// <summary>The file's length in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>Writes <paramref name="source"/> at <paramref name="offset"/>, growing the file when needed.</summary>
    public abstract void Write(ReadOnlySpan<byte> source, long offset);

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; returns how many (0 at the end).</summary>
    public abstract int Read(Span<byte> destination, long offset);

    /// <summary>Cuts or extends the file to <paramref name="length"/> bytes.</summary>
    public abstract void SetLength(long length);

    /// <summary>Fsyncs the file: its bytes and length survive a power loss once this returns.</summary>
    public abstract void Sync();

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the file.</summary>
    protected abstract void Dispose(bool disposing);
}
