using Banyan.GrainInterfaces.Writes;
using Google.Protobuf;

namespace Banyan.Client.Writes;

/// <summary>A point a bulk writer could not store: which one, its status and why.</summary>
/// <typeparam name="TPoint">The writer's point type (<c>measure.v1.DataPointValue</c> or <c>stream.v1.ElementValue</c>).</typeparam>
/// <param name="Sequence">The point's position in the writer (0 for the first point written to it).</param>
/// <param name="Point">The point as given to <c>WriteAsync</c>.</param>
/// <param name="Status">Its status: a refusal of the point (e.g. <see cref="WriteStatus.InvalidTimestamp"/>, <see cref="WriteStatus.NotFound"/>), or <see cref="WriteStatus.InternalError"/> for a failure that outlasted the retries.</param>
/// <param name="Message">The field and the reason, or the failure.</param>
/// <param name="Attempts">How many times the point was sent.</param>
public sealed record WriteFailure<TPoint>(long Sequence, TPoint Point, WriteStatus Status, string Message, int Attempts) : IWriteFailure
    where TPoint : IMessage
{
    /// <inheritdoc/>
    public string StatusName => WriteStatusNames.Of(Status);

    /// <inheritdoc/>
    IMessage IWriteFailure.Point => Point;

    /// <summary>For logs: <c>point 7: STATUS_INVALID_TIMESTAMP (data_point.timestamp: is not in whole milliseconds)</c>.</summary>
    public override string ToString() => $"point {Sequence}: {StatusName} ({Message})";
}
