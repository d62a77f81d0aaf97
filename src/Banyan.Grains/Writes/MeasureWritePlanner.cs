using Banyan.GrainInterfaces.Writes;
using Banyan.Storage.Values;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Writes;

/// <summary>
/// Decides every element of a measure write batch, in BanyanDB's order: the timestamp first
/// (<see cref="WriteStatus.InvalidTimestamp"/>), then what applies to the whole batch (schema not found, revision),
/// then the element itself (tag families, tags, fields, entity: <see cref="WriteStatus.InternalError"/>, what
/// BanyanDB's liaison answers for an element it cannot route), then the segment's expiry.
/// </summary>
internal static class MeasureWritePlanner
{
    /// <summary>
    /// The plan of <paramref name="batch"/>. <paramref name="verdict"/> refuses every element with a valid timestamp;
    /// otherwise <paramref name="layout"/> and <paramref name="group"/> apply. A data point without a version gets the
    /// request's <c>message_id</c> as its version (BanyanDB's liaison does so), or <paramref name="fallbackVersion"/>
    /// when that is 0 too.
    /// </summary>
    public static WritePlan Plan(MeasureWriteBatch batch, SchemaVerdict? verdict, SubjectLayout? layout, GroupSettings? group, DateTimeOffset now, long fallbackVersion)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int count = batch.Requests.Length;
        WritePlan plan = new(count, verdict is null ? layout : null, group?.ShardNum ?? 1);
        ColumnValue[] row = layout is null ? [] : new ColumnValue[layout.Columns.Length];
        for (int i = 0; i < count; i++)
        {
            MeasureV1.DataPointValue? point = batch.Requests[i].DataPoint;
            if (!WriteTimestamps.TryToUnixNanos(point?.Timestamp, out long timestamp, out string timeProblem))
            {
                plan.Refuse(i, WriteStatus.InvalidTimestamp, "data_point.timestamp: " + timeProblem);
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

            if (!layout.TryRead(point!.TagFamilies, point.Fields, row, out string reason))
            {
                plan.Refuse(i, WriteStatus.InternalError, "data_point." + reason);
                continue;
            }

            long version = point.Version != 0 ? point.Version : batch.Requests[i].MessageId != 0 ? unchecked((long)batch.Requests[i].MessageId) : fallbackVersion;
            plan.Place(layout, group!, now, i, row, timestamp, version);
        }

        return plan;
    }
}
