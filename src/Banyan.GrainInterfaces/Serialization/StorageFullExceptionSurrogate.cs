using System.Runtime.ExceptionServices;
using Banyan.Storage;

namespace Banyan.GrainInterfaces.Serialization;

/// <summary>
/// How the engine's <see cref="StorageFullException"/> crosses silos, for the reason
/// <see cref="StorageCorruptionExceptionSurrogate"/> gives: it keeps its type, its file and message, and the stack where
/// it was raised; the operating system's error travels as its type and message (<see cref="RemoteCauseException"/>).
/// </summary>
/// <param name="FilePath">The file being written when the disk filled up.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="Cause">The inner exception's type and message, or null.</param>
/// <param name="StackTrace">The stack where the error was raised, or null.</param>
[GenerateSerializer]
[Alias("banyan.StorageFullException")]
public readonly record struct StorageFullExceptionSurrogate(
    [property: Id(0)] string FilePath,
    [property: Id(1)] string Message,
    [property: Id(2)] string? Cause,
    [property: Id(3)] string? StackTrace);

/// <summary>Converts <see cref="StorageFullException"/> to and from <see cref="StorageFullExceptionSurrogate"/> for Orleans.</summary>
[RegisterConverter]
public sealed class StorageFullExceptionSurrogateConverter : IConverter<StorageFullException, StorageFullExceptionSurrogate>
{
    /// <inheritdoc/>
    public StorageFullException ConvertFromSurrogate(in StorageFullExceptionSurrogate surrogate)
    {
        StorageFullException exception = new(surrogate.FilePath, surrogate.Message, surrogate.Cause is null ? null : new RemoteCauseException(surrogate.Cause));
        return surrogate.StackTrace is null ? exception : (StorageFullException)ExceptionDispatchInfo.SetRemoteStackTrace(exception, surrogate.StackTrace);
    }

    /// <inheritdoc/>
    public StorageFullExceptionSurrogate ConvertToSurrogate(in StorageFullException value)
        => new(value.FilePath, value.Message, RemoteCauseException.Describe(value.InnerException), value.StackTrace);
}
