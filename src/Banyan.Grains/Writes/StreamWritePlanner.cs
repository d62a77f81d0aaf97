using Banyan.GrainInterfaces.Writes;
using Banyan.Storage.Series;
using Banyan.Storage.Values;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Grains.Writes;

/// <summary>
/// Decides every element of a stream write batch, in BanyanDB's order (see <see cref="MeasureWritePlanner"/>). The
/// stored element id is xxHash64 of <c>group|name|element_id</c> (<see cref="StreamElementId"/>, as BanyanDB's
/// <c>processElements</c>); an element without an id gets a unique generated one, as BanyanDB's id generator does.
/// </summary>
internal static class StreamWritePlanner
{
    /// <summary>The plan of <paramref name="batch"/>; <paramref name="newElementId"/> makes ids for elements that carry none.</summary>
    public static WritePlan Plan(StreamWriteBatch batch, SchemaVerdict? verdict, SubjectLayout? layout, GroupSettings? group, DateTimeOffset now, Func<long> newElementId)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(newElementId);
        int count = batch.Requests.Length;
        WritePlan plan = new(count, verdict is null ? layout : null, group?.ShardNum ?? 1);
        ColumnValue[] row = layout is null ? [] : new ColumnValue[layout.Columns.Length];
        for (int i = 0; i < count; i++)
        {
            StreamV1.ElementValue? element = batch.Requests[i].Element;
            if (!WriteTimestamps.TryToUnixNanos(element?.Timestamp, out long timestamp, out string timeProblem))
            {
                plan.Refuse(i, WriteStatus.InvalidTimestamp, "element.timestamp: " + timeProblem);
                continue;
            }

            if (verdict is not null)
            {
                plan.Refuse(i, verdict.Status, verdict.Reason);
                continue;
            }

            if (layout!.SpecProblem is { } specProblem)
            {
                plan.Refuse(i, WriteStatus.InternalError, specProblem);
                continue;
            }

            if (!layout.TryRead(element!.TagFamilies, null, row, out string reason))
            {
                plan.Refuse(i, WriteStatus.InternalError, "element." + reason);
                continue;
            }

            long id = element.ElementId.Length > 0
                ? unchecked((long)StreamElementId.Compute(layout.Group, layout.Subject, element.ElementId))
                : newElementId();
            plan.Place(layout, group!, now, i, row, timestamp, id);
        }

        return plan;
    }
}
