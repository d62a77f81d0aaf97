namespace Banyan.GrainInterfaces.Storage;

/// <summary>
/// A grain state file's bytes are damaged (torn write, flipped bit, foreign file): raised when the
/// grain reads its state, with the file and the offset of the bad field in the message. The
/// activation fails and the caller gets this error; the silo goes on serving other grains.
/// </summary>
[GenerateSerializer]
[Alias("banyan.GrainStateCorruptionException")]
public sealed class GrainStateCorruptionException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/> at <paramref name="offset"/>.</summary>
    public GrainStateCorruptionException(string path, long offset, string reason)
        : base($"Grain state file '{path}' is corrupt at offset {offset}: {reason}.")
    {
        FilePath = path;
        Offset = offset;
    }

    /// <summary>Creates the exception for <paramref name="path"/> at <paramref name="offset"/> with the decoding error as cause.</summary>
    public GrainStateCorruptionException(string path, long offset, string reason, Exception innerException)
        : base($"Grain state file '{path}' is corrupt at offset {offset}: {reason}.", innerException)
    {
        FilePath = path;
        Offset = offset;
    }

    /// <summary>Creates the exception with a message only (serialization and tooling).</summary>
    public GrainStateCorruptionException(string message)
        : base(message)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public GrainStateCorruptionException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates an empty exception (serialization).</summary>
    public GrainStateCorruptionException()
    {
        FilePath = string.Empty;
    }

    /// <summary>The damaged file.</summary>
    [Id(0)]
    public string FilePath { get; private set; }

    /// <summary>Byte offset of the first bad field in the file.</summary>
    [Id(1)]
    public long Offset { get; private set; }
}
