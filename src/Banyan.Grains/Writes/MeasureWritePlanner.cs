using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Writes.Wire;
using Banyan.Storage.Values;
using Google.Protobuf;
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
        int count = batch.Count;
        WritePlan plan = new(count, verdict is null ? layout : null, group?.ShardNum ?? 1);
        ColumnValue[] row = layout is null ? [] : new ColumnValue[layout.Columns.Length];
        if (batch.Wire is not { } wire)
        {
            for (int r = 0; r < count; r++)
            {
                PlanElement(plan, r, batch.Requests[r].DataPoint, batch.Requests[r].MessageId, verdict, layout, group, now, fallbackVersion, row);
            }

            return plan;
        }

        // The common element decodes from its bytes straight into columns; any other is parsed and decided as above.
        // Element i is element j of its run (joined streams' batches are runs side by side).
        WireRow? decoded = verdict is null && layout is { SpecProblem: null } ? new WireRow(layout.Columns.Length) : null;
        int i = 0;
        foreach (WireDataPointRun run in wire.Runs)
        {
            for (int j = 0; j < run.Count; j++, i++)
            {
                ReadOnlySpan<byte> bytes = run.DataPoints[j].Span;
                if (decoded is not null && DataPointWireDecoder.TryDecode(bytes, layout!, decoded)
                    && plan.TryPlace(layout!, group!, now, i, decoded, bytes, VersionOf(decoded.Version, run.MessageIds[j], fallbackVersion)))
                {
                    continue;
                }

                MeasureV1.DataPointValue point;
                try
                {
                    point = MeasureV1.DataPointValue.Parser.ParseFrom(bytes);
                }
                catch (InvalidProtocolBufferException e)
                {
                    // The write stream vouches only for the message around the point (docs/api.md, "Measure data points
                    // stay encoded"): a point whose own bytes are malformed is refused here, alone.
                    plan.Refuse(i, WriteStatus.InternalError, "data_point: does not decode: " + e.Message);
                    continue;
                }

                PlanElement(plan, i, point, run.MessageIds[j], verdict, layout, group, now, fallbackVersion, row);
            }
        }

        return plan;
    }

    private static void PlanElement(WritePlan plan, int i, MeasureV1.DataPointValue? point, ulong messageId, SchemaVerdict? verdict, SubjectLayout? layout, GroupSettings? group, DateTimeOffset now, long fallbackVersion, ColumnValue[] row)
    {
        if (!WriteTimestamps.TryToUnixNanos(point?.Timestamp, out long timestamp, out string timeProblem))
        {
            plan.Refuse(i, WriteStatus.InvalidTimestamp, "data_point.timestamp: " + timeProblem);
            return;
        }

        if (verdict is not null)
        {
            plan.Refuse(i, verdict.Status, verdict.Reason);
            return;
        }

        if (layout!.SpecProblem is { } specProblem)
        {
            plan.Refuse(i, WriteStatus.InternalError, specProblem);
            return;
        }

        if (!layout.TryRead(point!.TagFamilies, point.Fields, row, out string reason))
        {
            plan.Refuse(i, WriteStatus.InternalError, "data_point." + reason);
            return;
        }

        plan.Place(layout, group!, now, i, row, timestamp, VersionOf(point.Version, messageId, fallbackVersion));
    }

    private static long VersionOf(long version, ulong messageId, long fallbackVersion)
        => version != 0 ? version : messageId != 0 ? unchecked((long)messageId) : fallbackVersion;
}
