namespace Banyan.Cli.Write;

/// <summary>
/// The rows of a bulk-write file, read one at a time from a stream (a file of any size is never held whole). A row
/// that does not parse is returned as a bad row; a file that cannot be read at all (a CSV header naming no timestamp)
/// throws <see cref="InputFileException"/>.
/// </summary>
public interface IWriteRowSource : IDisposable
{
    /// <summary>How far into the input reading has got, in bytes (for progress and ETA).</summary>
    long Position { get; }

    /// <summary>The input's length in bytes, when known (a file; not standard input).</summary>
    long? Length { get; }

    /// <summary>The next row, or null at the end of the input.</summary>
    WriteRow? Next();
}
