using System.Globalization;
using Banyan.Api.Common.V1;
using Banyan.Api.Model.V1;
using Banyan.Conformance.Seeding;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests;

/// <summary>
/// Golden timestamps, element ids, metadata and specs for every seed mode on a fixed B = 2026-08-01T10:20:00Z, derived
/// by hand from the fixtures README ("Writing data and the timestamp rule") and the data files' lengths.
/// </summary>
public sealed class TimestampRuleTests
{
    private const long B = 1_785_579_600_000; // 2026-08-01T10:20:00.000Z

    private static readonly ConformanceFixtures s_fixtures = ConformanceFixtures.Default;

    private static Metadata Schema(string group, string name) => new() { Group = group, Name = name, ModRevision = 7 };

    private static WritePlan<StreamV1.WriteRequest> PlanStream(Func<SeedStep, bool> select, ulong firstId = 1) =>
        new StreamWritePlanner(s_fixtures.Root, new BaseTime(B), new MessageIdSequence(firstId)).Plan(s_fixtures.Seed.Steps.First(select), Schema);

    private static WritePlan<MeasureV1.WriteRequest> PlanMeasure(Func<SeedStep, bool> select) =>
        new MeasureWritePlanner(s_fixtures.Root, new BaseTime(B), new MessageIdSequence(1)).Plan(s_fixtures.Seed.Steps.First(select), Schema);

    private static string Time(Timestamp t) => t.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture);

    [Fact]
    public void Base_time_is_now_truncated_down_to_the_minute()
    {
        FixedClock clock = new(DateTimeOffset.Parse("2026-08-01T10:20:59.999Z", CultureInfo.InvariantCulture));
        Assert.Equal(B, BaseTime.FromClock(clock).EpochMillis);
        Assert.Equal(new Timestamp { Seconds = 1_785_579_599, Nanos = 500_000_000 }, new BaseTime(B).At(-500));
        Assert.Equal(new Timestamp { Seconds = -1, Nanos = 999_000_000 }, BaseTime.FromEpochMillis(-1));
    }

    [Fact]
    public void StreamCounter_ids_count_from_zero_and_times_step_500_ms()
    {
        WritePlan<StreamV1.WriteRequest> plan = PlanStream(s => s.Mode == SeedMode.StreamCounter && s.Name == "sw" && s.BaseOffsetMs == 0, firstId: 100);

        Assert.Equal(5, plan.Requests.Count);
        Assert.Equal(["0", "1", "2", "3", "4"], plan.Requests.Select(r => r.Element.ElementId));
        Assert.Equal(
            ["2026-08-01T10:20:00.000", "2026-08-01T10:20:00.500", "2026-08-01T10:20:01.000", "2026-08-01T10:20:01.500", "2026-08-01T10:20:02.000"],
            plan.Requests.Select(r => Time(r.Element.Timestamp)));
        Assert.Equal([100UL, 101UL, 102UL, 103UL, 104UL], plan.Requests.Select(r => r.MessageId));
        foreach (StreamV1.WriteRequest request in plan.Requests)
        {
            // Every request carries the registry's metadata (with its revision), as upstream's WriteToGroup sends it.
            Assert.Equal(Schema("default", "sw"), request.Metadata);
            Assert.Empty(request.TagFamilySpec);
            // The first family is upstream's binary_data tag; the file's entry is the second (searchable) family.
            Assert.Equal(2, request.Element.TagFamilies.Count);
            Assert.Equal("abc123!?$*&()'-=@~", Assert.Single(request.Element.TagFamilies[0].Tags).BinaryData.ToStringUtf8());
        }

        Assert.Equal("1", plan.Requests[0].Element.TagFamilies[1].Tags[0].Str.Value);
        Assert.Equal(1_622_933_202_000_000_000L, plan.Requests[0].Element.TagFamilies[1].Tags[6].Int.Value);
        Assert.Equal(TagValue.ValueOneofCase.Null, plan.Requests[0].Element.TagFamilies[1].Tags[7].ValueCase);
        Assert.Equal("test/cases/stream/data/testdata/sw.json[3]", plan.Sources[3]);
    }

    [Fact]
    public void Expired_stream_step_writes_six_days_back()
    {
        WritePlan<StreamV1.WriteRequest> plan = PlanStream(s => s.IsExpired && s.Catalog == "stream");

        Assert.True(plan.Step.IsExpired);
        Assert.Equal(["0", "1", "2", "3", "4"], plan.Requests.Select(r => r.Element.ElementId));
        Assert.Equal("2026-07-26T10:20:00.000", Time(plan.Requests[0].Element.Timestamp));
        Assert.Equal("2026-07-26T10:20:02.000", Time(plan.Requests[4].Element.Timestamp));
    }

    [Fact]
    public void Interval_zero_puts_every_element_on_B()
    {
        WritePlan<StreamV1.WriteRequest> plan = PlanStream(s => s.Name == "duplicated" && s.Catalog == "stream");

        Assert.Equal(["0", "1", "2", "3", "4"], plan.Requests.Select(r => r.Element.ElementId));
        Assert.All(plan.Requests, r => Assert.Equal("2026-08-01T10:20:00.000", Time(r.Element.Timestamp)));
        Assert.All(plan.Requests, r => Assert.Equal(Schema("default", "duplicated"), r.Metadata));
    }

    [Fact]
    public void StreamExplicitId_uses_the_files_ids_and_one_ms_steps()
    {
        WritePlan<StreamV1.WriteRequest> plan = PlanStream(s => s.Mode == SeedMode.StreamExplicitId);

        Assert.Equal(50, plan.Requests.Count);
        Assert.Equal(("0", "2026-08-01T10:20:00.000"), (plan.Requests[0].Element.ElementId, Time(plan.Requests[0].Element.Timestamp)));
        // Ids repeat on purpose (entry 15 is id "0" again); the time still follows the entry index.
        Assert.Equal(("0", "2026-08-01T10:20:00.015"), (plan.Requests[15].Element.ElementId, Time(plan.Requests[15].Element.Timestamp)));
        Assert.Equal(("26", "2026-08-01T10:20:00.049"), (plan.Requests[49].Element.ElementId, Time(plan.Requests[49].Element.Timestamp)));
        Assert.All(plan.Requests, r => Assert.Equal(Schema("default", "deduplication_test"), r.Metadata));
        Assert.All(plan.Requests, r => Assert.Equal(StreamWritePlanner.BinaryData, r.Element.TagFamilies[0].Tags[0].BinaryData));
        Assert.Equal("trace_0", plan.Requests[0].Element.TagFamilies[1].Tags[0].Str.Value);
    }

    [Fact]
    public void Updated_group_step_starts_one_minute_after_B()
    {
        WritePlan<StreamV1.WriteRequest> plan = PlanStream(s => s.Group == "updated");

        Assert.Equal(["2026-08-01T10:21:00.000", "2026-08-01T10:21:00.500", "2026-08-01T10:21:01.000"], plan.Requests.Select(r => Time(r.Element.Timestamp)));
        Assert.All(plan.Requests, r => Assert.Equal(Schema("updated", "sw"), r.Metadata));
    }

    [Fact]
    public void StreamMixed_carries_the_counter_and_advances_time_twice()
    {
        WritePlan<StreamV1.WriteRequest> plan = PlanStream(s => s.Mode == SeedMode.StreamMixed);

        // Part 1 (3 schema-order elements): B + 2 min + id × 500 ms.
        // Part 2 (3 spec elements): partBase = B + 2 min + 3 × 500 ms = 10:22:01.5; time = partBase + id × 500 ms, ids 3..5.
        // Part 3 (2 spec elements): partBase = B + 2 min + 6 × 500 ms = 10:22:03; time = partBase + id × 500 ms, ids 6..7.
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7"], plan.Requests.Select(r => r.Element.ElementId));
        Assert.Equal(
            [
                "2026-08-01T10:22:00.000", "2026-08-01T10:22:00.500", "2026-08-01T10:22:01.000",
                "2026-08-01T10:22:03.000", "2026-08-01T10:22:03.500", "2026-08-01T10:22:04.000",
                "2026-08-01T10:22:06.000", "2026-08-01T10:22:06.500",
            ],
            plan.Requests.Select(r => Time(r.Element.Timestamp)));

        // Metadata: every schema-order request; the first spec part none (the stream keeps default-spec); the
        // second spec part on its first request only (it switches to default-spec2).
        Assert.Equal(
            ["default-spec", "default-spec", "default-spec", null, null, null, "default-spec2", null],
            plan.Requests.Select(r => r.Metadata?.Group));
        Assert.Equal([0, 0, 0, 2, 0, 0, 2, 0], plan.Requests.Select(r => r.TagFamilySpec.Count));
        Assert.Equal(["data", "searchable"], plan.Requests[3].TagFamilySpec.Select(f => f.Name));
        Assert.Equal(["searchable", "data"], plan.Requests[6].TagFamilySpec.Select(f => f.Name));
        // Schema-order elements get the binary family prepended; spec elements are sent as the file has them.
        Assert.Equal(2, plan.Requests[0].Element.TagFamilies.Count);
        Assert.Equal("spec_trace_1", plan.Requests[3].Element.TagFamilies[1].Tags[0].Str.Value);
    }

    [Fact]
    public void MeasureTrailing_puts_the_last_entry_on_the_base()
    {
        WritePlan<MeasureV1.WriteRequest> plan = PlanMeasure(s => s.Name == "service_cpm_minute" && s.Group == "sw_metric");

        // 6 entries, interval 1 min, base B: B − 5 min … B.
        Assert.Equal(
            ["2026-08-01T10:15:00.000", "2026-08-01T10:16:00.000", "2026-08-01T10:17:00.000", "2026-08-01T10:18:00.000", "2026-08-01T10:19:00.000", "2026-08-01T10:20:00.000"],
            plan.Requests.Select(r => Time(r.DataPoint.Timestamp)));
        Assert.All(plan.Requests, r => Assert.Equal(Schema("sw_metric", "service_cpm_minute"), r.Metadata));
        Assert.All(plan.Requests, r => Assert.Equal(0, r.DataPoint.Version));
        Assert.All(plan.Requests, r => Assert.Null(r.DataPointSpec));
        Assert.Equal([1UL, 2UL, 3UL, 4UL, 5UL, 6UL], plan.Requests.Select(r => r.MessageId));
        Assert.Equal(100L, plan.Requests[0].DataPoint.Fields[0].Int.Value);
    }

    [Fact]
    public void MeasureTrailing_honours_base_offsets_and_interval_zero()
    {
        // 4 entries two days back: the last on B − 2 d.
        WritePlan<MeasureV1.WriteRequest> old = PlanMeasure(s => s.File?.EndsWith("service_traffic_data_old.json", StringComparison.Ordinal) == true);
        Assert.Equal(["2026-07-30T10:17:00.000", "2026-07-30T10:20:00.000"], new[] { old.Requests[0], old.Requests[3] }.Select(r => Time(r.DataPoint.Timestamp)));

        // Expired: 10 days back, beyond index_mode's 7-day TTL.
        WritePlan<MeasureV1.WriteRequest> expired = PlanMeasure(s => s.IsExpired && s.Catalog == "measure");
        Assert.Equal(["2026-07-22T10:19:00.000", "2026-07-22T10:20:00.000"], expired.Requests.Select(r => Time(r.DataPoint.Timestamp)));

        // 10 s after B: the last entry on 10:20:10.
        WritePlan<MeasureV1.WriteRequest> shifted = PlanMeasure(s => s.File?.EndsWith("service_instance_cpm_minute_data1.json", StringComparison.Ordinal) == true);
        Assert.Equal("2026-08-01T10:20:10.000", Time(shifted.Requests[^1].DataPoint.Timestamp));
        Assert.Equal("2026-08-01T10:19:10.000", Time(shifted.Requests[^2].DataPoint.Timestamp));

        // Interval 0: every point on B.
        WritePlan<MeasureV1.WriteRequest> duplicated = PlanMeasure(s => s.Name == "duplicated" && s.Catalog == "measure");
        Assert.Equal(6, duplicated.Requests.Count);
        Assert.All(duplicated.Requests, r => Assert.Equal("2026-08-01T10:20:00.000", Time(r.DataPoint.Timestamp)));
    }

    [Fact]
    public void MeasureMixed_parts_follow_each_other_minute_by_minute()
    {
        WritePlan<MeasureV1.WriteRequest> plan = PlanMeasure(s => s.Mode == SeedMode.MeasureMixed);

        // Three parts of 3 points from B + 30 min: 10:50..10:52, 10:53..10:55, 10:56..10:58.
        Assert.Equal(
            [
                "2026-08-01T10:50:00.000", "2026-08-01T10:51:00.000", "2026-08-01T10:52:00.000",
                "2026-08-01T10:53:00.000", "2026-08-01T10:54:00.000", "2026-08-01T10:55:00.000",
                "2026-08-01T10:56:00.000", "2026-08-01T10:57:00.000", "2026-08-01T10:58:00.000",
            ],
            plan.Requests.Select(r => Time(r.DataPoint.Timestamp)));
        Assert.Equal(["sw_spec", "sw_spec", "sw_spec", null, null, null, "sw_spec2", null, null], plan.Requests.Select(r => r.Metadata?.Group));
        Assert.Equal([false, false, false, true, false, false, true, false, false], plan.Requests.Select(r => r.DataPointSpec is not null));
        Assert.Equal(["value", "total"], plan.Requests[3].DataPointSpec.FieldNames);
        Assert.Equal(["entity_id", "id"], plan.Requests[3].DataPointSpec.TagFamilySpec[0].TagNames);
        Assert.Equal(["total", "value"], plan.Requests[6].DataPointSpec.FieldNames);
    }

    [Fact]
    public void Message_ids_are_positive_and_strictly_increasing_across_steps()
    {
        MessageIdSequence ids = new(1);
        StreamWritePlanner streams = new(s_fixtures.Root, new BaseTime(B), ids);
        MeasureWritePlanner measures = new(s_fixtures.Root, new BaseTime(B), ids);
        List<ulong> all = [];
        foreach (SeedStep step in s_fixtures.Seed.Steps)
        {
            if (step.Catalog == "stream")
            {
                all.AddRange(streams.Plan(step, Schema).Requests.Select(r => r.MessageId));
            }
            else if (step.Catalog == "measure")
            {
                all.AddRange(measures.Plan(step, Schema).Requests.Select(r => r.MessageId));
            }
        }

        Assert.Equal([.. Enumerable.Range(1, all.Count).Select(i => (ulong)i)], all);
        Assert.True(MessageIdSequence.FromClock(TimeProvider.System).Next() > 1_700_000_000_000_000_000UL);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
