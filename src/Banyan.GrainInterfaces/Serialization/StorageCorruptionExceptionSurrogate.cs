using System.Runtime.ExceptionServices;
using Banyan.Storage;

namespace Banyan.GrainInterfaces.Serialization;

/// <summary>
/// How the engine's <see cref="StorageCorruptionException"/> crosses silos. Orleans serializes exceptions of its own and
/// the framework's namespaces only; the engine's, raised by a shard grain on one silo and awaited on another (a query
/// fanned out, a write routed to the shard's owner), would otherwise arrive as a <c>CodecNotFoundException</c> that
/// names neither the file nor the offset. So the error keeps its type, its file, offset and detail, and the stack it had
/// where it was raised; its inner exception, if any, travels as its type and message (<see cref="Cause"/>).
/// </summary>
/// <param name="FilePath">The damaged file.</param>
/// <param name="Offset">The byte offset of the damage; -1 when unknown.</param>
/// <param name="Detail">What was expected and what was found.</param>
/// <param name="Cause">The inner exception's type and message, or null.</param>
/// <param name="StackTrace">The stack where the error was raised, or null.</param>
[GenerateSerializer]
[Alias("banyan.StorageCorruptionException")]
public readonly record struct StorageCorruptionExceptionSurrogate(
    [property: Id(0)] string FilePath,
    [property: Id(1)] long Offset,
    [property: Id(2)] string Detail,
    [property: Id(3)] string? Cause,
    [property: Id(4)] string? StackTrace);

/// <summary>Converts <see cref="StorageCorruptionException"/> to and from <see cref="StorageCorruptionExceptionSurrogate"/> for Orleans.</summary>
[RegisterConverter]
public sealed class StorageCorruptionExceptionSurrogateConverter : IConverter<StorageCorruptionException, StorageCorruptionExceptionSurrogate>
{
    /// <inheritdoc/>
    public StorageCorruptionException ConvertFromSurrogate(in StorageCorruptionExceptionSurrogate surrogate)
    {
        StorageCorruptionException exception = surrogate.Cause is null
            ? new StorageCorruptionException(surrogate.FilePath, surrogate.Offset, surrogate.Detail)
            : new StorageCorruptionException(surrogate.FilePath, surrogate.Offset, surrogate.Detail, new RemoteCauseException(surrogate.Cause));
        return surrogate.StackTrace is null ? exception : (StorageCorruptionException)ExceptionDispatchInfo.SetRemoteStackTrace(exception, surrogate.StackTrace);
    }

    /// <inheritdoc/>
    public StorageCorruptionExceptionSurrogate ConvertToSurrogate(in StorageCorruptionException value)
        => new(value.FilePath, value.Offset, value.Detail, RemoteCauseException.Describe(value.InnerException), value.StackTrace);
}
