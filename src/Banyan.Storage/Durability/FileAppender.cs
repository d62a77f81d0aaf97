namespace Banyan.Storage.Durability;

/// <summary>
/// Writes a <see cref="WritableFile"/> front to back through a buffer (part files: a small header, then
/// frames), so small writes do not each cost a system call. <see cref="Position"/> is the offset the
/// next byte lands at. Disposing without <see cref="Flush()"/> drops the buffered bytes: an unfinished
/// file is deleted anyway, and writing them on a full disk would only fail again.
/// </summary>
public sealed class FileAppender : IDisposable
{
    private readonly WritableFile _file;
    private readonly byte[] _buffer;
    private int _buffered;
    private long _flushed;

    /// <summary>Appends to <paramref name="file"/> (from its current end), which this object then owns.</summary>
    public FileAppender(WritableFile file, int bufferSize = 64 << 10)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        _file = file;
        _buffer = new byte[bufferSize];
        _flushed = file.Length;
    }

    /// <summary>The file's path.</summary>
    public string Path => _file.Path;

    /// <summary>Bytes written so far, buffered ones included: the offset of the next byte.</summary>
    public long Position => _flushed + _buffered;

    /// <summary>Same as <see cref="Position"/> (the file's length once flushed).</summary>
    public long Length => Position;

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= _buffer.Length - _buffered)
        {
            bytes.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += bytes.Length;
            return;
        }

        Flush();
        if (bytes.Length >= _buffer.Length)
        {
            // Large writes go straight to the file, as FileStream does.
            _file.Write(bytes, _flushed);
            _flushed += bytes.Length;
            return;
        }

        bytes.CopyTo(_buffer);
        _buffered = bytes.Length;
    }

    /// <summary>Writes the buffered bytes to the file (no fsync).</summary>
    public void Flush()
    {
        if (_buffered == 0)
        {
            return;
        }

        _file.Write(_buffer.AsSpan(0, _buffered), _flushed);
        _flushed += _buffered;
        _buffered = 0;
    }

    /// <summary>Writes the buffered bytes and, when <paramref name="fsync"/>, fsyncs the file.</summary>
    public void Flush(bool fsync)
    {
        Flush();
        if (fsync)
        {
            _file.Sync();
        }
    }

    /// <summary>Closes the file; buffered bytes not flushed are dropped.</summary>
    public void Dispose() => _file.Dispose();
}
