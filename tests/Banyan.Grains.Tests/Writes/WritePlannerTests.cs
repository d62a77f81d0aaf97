using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Writes;
using Banyan.Storage.Series;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Grains.Tests.Writes;

/// <summary>The per-element rules of the write path as plain code: timestamps, check order, specs, versions, element ids, sharding keys.</summary>
public sealed class WritePlannerTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Metadata s_metadata = new() { Group = "g", Name = "cpm" };

    [Theory]
    [InlineData(0L, 0, true, 0L)]
    [InlineData(1L, 2_000_000, true, 1_002_000_000L)]
    [InlineData(1L, -1_000_000, true, 999_000_000L)]       // nanos carried into the seconds, as Go's AsTime
    [InlineData(-1L, 0, true, -1_000_000_000L)]
    [InlineData(1L, 1_500, false, 0L)]
    [InlineData(9_223_372_037L, 0, false, 0L)]               // beyond 2262-04-11
    [InlineData(-9_223_372_037L, 0, false, 0L)]              // before 1677-09-21
    [InlineData(8_999_999_999L, 999_000_000, true, 8_999_999_999_999_000_000L)] // the last of the 64-bit fast path
    [InlineData(9_000_000_000L, 0, true, 9_000_000_000_000_000_000L)]           // past it: the general path, still valid
    [InlineData(9_223_372_036L, 854_000_000, true, 9_223_372_036_854_000_000L)] // the last whole millisecond
    [InlineData(9_223_372_036L, 855_000_000, false, 0L)]                       // one past it
    [InlineData(1_700_000_000L, 999_999, false, 0L)]                           // within the fast path, not whole ms
    [InlineData(1_700_000_000L, 1_000_000_000, true, 1_700_000_001_000_000_000L)] // nanos of a whole second, carried
    public void Timestamps_must_be_whole_milliseconds_within_64_bit_nanoseconds(long seconds, int nanos, bool valid, long expected)
    {
        Assert.Equal(valid, WriteTimestamps.TryToUnixNanos(new Timestamp { Seconds = seconds, Nanos = nanos }, out long value, out string reason));
        if (valid)
        {
            Assert.Equal(expected, value);
        }
        else
        {
            Assert.NotEmpty(reason);
        }

        Assert.False(WriteTimestamps.TryToUnixNanos(null, out _, out string empty));
        Assert.Equal("is empty", empty);
    }

    [Fact]
    public void The_timestamp_is_checked_before_the_schema_verdict()
    {
        MeasureV1.WriteRequest bad = WriteSchemas.Point(null, 2, s_now, "e", 2);
        bad.DataPoint.Timestamp.Nanos = 3;
        MeasureWriteBatch batch = new(s_metadata, null, [WriteSchemas.Point(null, 1, s_now, "e", 1), bad]);
        WriteOutcome outcome = MeasureWritePlanner.Plan(batch, new SchemaVerdict(WriteStatus.NotFound, "metadata.name: gone"), null, null, s_now, 1).ToOutcome();
        Assert.Equal([WriteStatus.NotFound, WriteStatus.InvalidTimestamp], outcome.Statuses.ToArray());
        Assert.Equal(["metadata.name: gone", "data_point.timestamp: is not in whole milliseconds"], outcome.Refusals.Select(r => r.Reason));
    }

    [Fact]
    public void A_data_point_spec_maps_values_by_name_and_a_spec_naming_an_unknown_field_refuses_every_point()
    {
        Measure measure = WriteSchemas.Measure("g");
        MeasureV1.DataPointSpec spec = new()
        {
            TagFamilySpec = { new MeasureV1.TagFamilySpec { Name = "default", TagNames = { "entity_id", "code" } } },
            FieldNames = { "value", "total" },
        };
        MeasureV1.WriteRequest request = WriteSchemas.Point(null, 7, s_now, "x", 0);
        request.DataPoint.TagFamilies[0].Tags.Clear();
        request.DataPoint.TagFamilies[0].Tags.Add(WriteSchemas.Str("entity-9"));
        request.DataPoint.TagFamilies[0].Tags.Add(WriteSchemas.Number(404));
        request.DataPoint.Fields.Clear();
        request.DataPoint.Fields.Add(new Banyan.Api.Model.V1.FieldValue { Float = new Banyan.Api.Model.V1.Float { Value = 2.5 } });
        request.DataPoint.Fields.Add(new Banyan.Api.Model.V1.FieldValue { Int = new Banyan.Api.Model.V1.Int { Value = 42 } });

        WritePlan plan = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, spec, [request]), null, SubjectLayout.ForMeasure("g", measure, spec), Settings(), s_now, 1);
        Assert.Empty(plan.ToOutcome().Refusals);
        SubBatch sub = Assert.Single(plan.SubBatches!.Batches);

        // The batch names its measure: the engine keeps each subject's columns apart, so writes alternating between
        // measures whose fields share a name but not a type seal into one memory part (not one part per write).
        Assert.Equal("cpm", sub.Batch.Subject);
        Assert.Equal("entity-9", sub.Batch.Columns[sub.Batch.FindColumn("default", "entity_id")].GetString(0));
        Assert.True(sub.Batch.Columns[sub.Batch.FindColumn("default", "id")].IsNull(0));
        Assert.Equal(404, sub.Batch.Columns[sub.Batch.FindColumn("default", "code")].GetInt64(0));
        Assert.Equal(42, sub.Batch.Columns[sub.Batch.FindColumn(null, "total")].GetInt64(0));
        Assert.Equal(2.5, sub.Batch.Columns[sub.Batch.FindColumn(null, "value")].GetDouble(0));
        Assert.Equal(7, sub.Batch.Versions[0]);   // version 0: the message id
        Assert.Equal(SeriesKey.ComputeSeriesId("cpm", [Banyan.Storage.Values.TagValue.FromString("entity-9")]), sub.Batch.SeriesIds[0]);

        spec.FieldNames[0] = "no_such_field";
        WriteOutcome refused = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, spec, [request]), null, SubjectLayout.ForMeasure("g", measure, spec), Settings(), s_now, 1).ToOutcome();
        Assert.Equal(WriteStatus.InternalError, Assert.Single(refused.Statuses));
        Assert.Equal("data_point_spec.field_names[0]: field 'no_such_field' is not declared by measure 'g/cpm'", refused.Refusals[0].Reason);
    }

    [Fact]
    public void A_sharding_key_routes_by_its_tags_and_a_point_without_version_or_message_id_takes_the_fallback()
    {
        Measure measure = WriteSchemas.Measure("g");
        measure.ShardingKey = new ShardingKey { TagNames = { "id" } };
        MeasureV1.WriteRequest request = WriteSchemas.Point(null, 0, s_now, "e1", 1);
        WritePlan plan = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [request]), null, SubjectLayout.ForMeasure("g", measure, null), Settings(shards: 16), s_now, 99);
        SubBatch sub = Assert.Single(plan.SubBatches!.Batches);
        Assert.Equal((int)ShardRouting.ComputeShard("cpm", [Banyan.Storage.Values.TagValue.FromString("id-e1")], 16), sub.Shard);
        Assert.Equal(99, sub.Batch.Versions[0]);
    }

    [Fact]
    public void Stream_element_ids_are_hashed_or_generated_and_expired_elements_are_counted_not_placed()
    {
        Banyan.Api.Database.V1.Stream stream = WriteSchemas.Stream("g");
        long generated = 1000;
        ImmutableArray<StreamV1.WriteRequest> requests =
        [
            WriteSchemas.Element(null, 1, s_now, "svc", "abc"),
            WriteSchemas.Element(null, 2, s_now, "svc", string.Empty),
            WriteSchemas.Element(null, 3, s_now.AddDays(-30), "svc", "old"),
        ];
        WritePlan plan = StreamWritePlanner.Plan(new StreamWriteBatch(new Metadata { Group = "g", Name = "log" }, [], requests), null, SubjectLayout.ForStream("g", stream, []), Settings(), s_now, () => ++generated);
        WriteOutcome outcome = plan.ToOutcome();
        Assert.Equal([WriteStatus.Succeed, WriteStatus.Succeed, WriteStatus.Succeed], outcome.Statuses.ToArray());
        Assert.Equal(1, outcome.Expired);
        SubBatch sub = Assert.Single(plan.SubBatches!.Batches);
        Assert.Equal([unchecked((long)StreamElementId.Compute("g", "log", "abc")), 1001L], sub.Batch.Versions.ToArray());
        Assert.Equal([0, 1], sub.Elements);
    }

    private static GroupSettings Settings(int shards = 2) =>
        new(shards, new Banyan.Storage.TimeSegments.IntervalRule(Banyan.Storage.TimeSegments.IntervalUnit.Day, 1), new Banyan.Storage.TimeSegments.IntervalRule(Banyan.Storage.TimeSegments.IntervalUnit.Day, 7), 1);
}
