using Banyan.GrainInterfaces.Writes;
using Google.Protobuf;

namespace Banyan.Client.Writes;

/// <summary>A point a bulk writer could not store, whatever its type (<see cref="WriteFailure{TPoint}"/> is the typed one).</summary>
public interface IWriteFailure
{
    /// <summary>The point's position in the writer: 0 for the first point written to it, 1 for the next, …</summary>
    long Sequence { get; }

    /// <summary>The point as given to <c>WriteAsync</c>.</summary>
    IMessage Point { get; }

    /// <summary>Its status (BanyanDB's <c>model.v1.Status</c> numbers).</summary>
    WriteStatus Status { get; }

    /// <summary>The status as BanyanDB names it, e.g. <c>STATUS_INVALID_TIMESTAMP</c>.</summary>
    string StatusName { get; }

    /// <summary>Why: the field and the reason for a refused point, or the failure that outlasted the retries.</summary>
    string Message { get; }

    /// <summary>How many times the point was sent.</summary>
    int Attempts { get; }
}
