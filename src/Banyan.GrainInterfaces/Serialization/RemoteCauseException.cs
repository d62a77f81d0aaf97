namespace Banyan.GrainInterfaces.Serialization;

/// <summary>
/// The inner exception of an engine error that crossed silos (<see cref="StorageCorruptionExceptionSurrogate"/>,
/// <see cref="StorageFullExceptionSurrogate"/>): its type and message as text, since the type itself (a zstd error, an
/// operating system error) need not be one Orleans can serialize.
/// </summary>
[GenerateSerializer]
[Alias("banyan.RemoteCauseException")]
public sealed class RemoteCauseException : Exception
{
    /// <summary>Creates the exception with the original's description (<see cref="Describe"/>).</summary>
    public RemoteCauseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public RemoteCauseException()
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public RemoteCauseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>"Type: message" of <paramref name="exception"/>, or null for none.</summary>
    public static string? Describe(Exception? exception)
        => exception is null ? null : $"{exception.GetType().FullName}: {exception.Message}";
}
