using Banyan.Api.Measure.V1;

namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// The <c>message_id</c> a measure write request gets when it carries neither a version nor a message id. BanyanDB's
/// liaison gives such a data point the current time in nanoseconds as both (<c>measure.go</c>
/// <c>processAndPublishRequest</c>); the measure grain takes a non-zero message id as the point's version. Ids from
/// here only grow within the process, so a later write of the same series and timestamp wins, and a request re-sent
/// after a failure keeps its id (so it keeps its version, and the two copies deduplicate). Used by the silo's gRPC
/// write pump and by the client's bulk writer alike.
/// </summary>
public static class MeasureMessageIds
{
    private static long s_lastGeneratedId;

    /// <summary>
    /// Gives <paramref name="request"/> a message id when it has neither a <c>message_id</c> nor a
    /// <c>data_point.version</c>; returns its message id.
    /// </summary>
    public static ulong Assign(WriteRequest request, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.MessageId = Assign(request.MessageId, request.DataPoint is { Version: 0 }, clock);
        return request.MessageId;
    }

    /// <summary>
    /// The message id of a request with <paramref name="messageId"/>: a new one when that is 0 and the request carries a
    /// data point without a version (<paramref name="pointWithoutVersion"/>), else <paramref name="messageId"/>.
    /// </summary>
    public static ulong Assign(ulong messageId, bool pointWithoutVersion, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (messageId != 0 || !pointWithoutVersion)
        {
            return messageId;
        }

        long now = (clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        long last = Interlocked.Read(ref s_lastGeneratedId);
        long id = Math.Max(now, last + 1);
        while (Interlocked.CompareExchange(ref s_lastGeneratedId, id, last) != last)
        {
            last = Interlocked.Read(ref s_lastGeneratedId);
            id = Math.Max(now, last + 1);
        }

        return (ulong)id;
    }
}
