using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Writes;
using Banyan.Grains.Writes.Wire;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Writes.Wire;

/// <summary>
/// A data point that carries its series' recorded tag families (<see cref="WireTagFamilies"/>) byte for byte is given
/// their values without decoding them, and its series without keying it: whatever else the point holds and wherever
/// the families lie in it, it must decode and plan exactly as it does field by field, and a point whose families differ
/// by a byte, or that has more or fewer families than recorded, must not be taken for the recorded series.
/// </summary>
public sealed class WireTagFamiliesTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Metadata s_metadata = new() { Group = "g", Name = "cpm" };

    [Fact]
    public void A_point_carrying_its_series_families_decodes_and_plans_as_it_does_field_by_field()
    {
        Measure measure = TwoFamilyMeasure();
        SubjectLayout objectLayout = SubjectLayout.ForMeasure("g", measure, null);
        byte[][] round = [.. Enumerable.Range(0, 10).Select(i => Point("e" + i, "r" + i, i, secondsAgo: 60).ToByteArray())];

        MeasureV1.DataPointValue same = Point("e0", "r0", 77, secondsAgo: 5);
        same.Version = 9;
        MeasureV1.DataPointValue firstFamilyOnly = same.Clone();
        firstFamilyOnly.TagFamilies.RemoveAt(1);
        MeasureV1.DataPointValue otherEntity = Point("x0", "r0", 77, secondsAgo: 5); // same length, another series
        MeasureV1.DataPointValue otherRegion = Point("e0", "q0", 77, secondsAgo: 5); // same entity, another non-entity tag
        MeasureV1.DataPointValue threeFamilies = same.Clone();
        threeFamilies.TagFamilies.Add(new TagFamilyForWrite { Tags = { WriteSchemas.Str("r0") } });
        byte[] sameBytes = same.ToByteArray();
        (string Name, byte[] Bytes, bool Carries)[] variants =
        [
            ("the same families, another time, value and version", sameBytes, true),
            ("fields and version before the families", [.. FieldBytes(same), .. TimestampBytes(same), .. FamilyBytes(same)], true),
            ("a second copy of the families after them", [.. sameBytes, .. FamilyBytes(same)], false),
            ("the families, a field, then the families again", [.. TimestampBytes(same), .. FamilyBytes(same), .. FieldBytes(same), .. FamilyBytes(same)], false),
            ("the first family only", firstFamilyOnly.ToByteArray(), false),
            ("one more family than recorded", threeFamilies.ToByteArray(), false),
            ("another entity of the same length", otherEntity.ToByteArray(), false),
            ("another non-entity tag of the same length", otherRegion.ToByteArray(), false),
        ];

        foreach ((string name, byte[] bytes, bool carries) in variants)
        {
            // Planned twice in the same order: every series has its families recorded, and the cache expects e0 next.
            SubjectLayout wireLayout = SubjectLayout.ForMeasure("g", measure, null);
            for (int r = 0; r < 2; r++)
            {
                MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], WireDataPointPlanTests.Concat(round, new ulong[round.Length])), null, wireLayout, WireDataPointPlanTests.Settings(), s_now, 1);
            }

            Assert.NotNull(wireLayout.SeriesIds.Predicted?.Families);

            WireRow carried = new(wireLayout.Columns.Length);
            WireRow decoded = new(wireLayout.Columns.Length);
            bool took = DataPointWireDecoder.TryDecode(bytes, wireLayout, carried);
            Assert.True(took == DataPointWireDecoder.TryDecode(bytes, SubjectLayout.ForMeasure("g", measure, null), decoded), name);
            Assert.True(carries == (took && carried.FamiliesOf is not null), name);
            if (took)
            {
                AssertSameRow(decoded, carried, bytes, name);
            }

            MeasureV1.WriteRequest parsed = new() { MessageId = 3, DataPoint = MeasureV1.DataPointValue.Parser.ParseFrom(bytes) };
            WritePlan expected = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [parsed]), null, objectLayout, WireDataPointPlanTests.Settings(), s_now, 1);
            WritePlan actual = MeasureWritePlanner.Plan(new MeasureWriteBatch(s_metadata, null, [], WireDataPointPlanTests.Concat([bytes], [3])), null, wireLayout, WireDataPointPlanTests.Settings(), s_now, 1);
            WireDataPointPlanTests.AssertSamePlan(expected, actual);
        }
    }

    [Fact]
    public void A_timestamp_remembered_from_the_point_before_is_taken_only_for_the_same_bytes()
    {
        SubjectLayout layout = SubjectLayout.ForMeasure("g", WriteSchemas.Measure("g"), null);
        WireRow row = new(layout.Columns.Length);
        DateTimeOffset[] times = [s_now, s_now, s_now.AddMilliseconds(-1), s_now.AddMilliseconds(-1), s_now.AddSeconds(-1), s_now];
        foreach (DateTimeOffset time in times)
        {
            byte[] bytes = WriteSchemas.Point(null, 1, time, "e", 1).DataPoint.ToByteArray();
            Assert.True(DataPointWireDecoder.TryDecode(bytes, layout, row));
            Assert.Equal(time.ToUnixTimeMilliseconds() * 1_000_000, row.Timestamp);
        }

        // A timestamp the decoder refuses is never remembered: the same bytes are refused again.
        MeasureV1.DataPointValue bad = WriteSchemas.Point(null, 1, s_now, "e", 1).DataPoint;
        bad.Timestamp.Nanos = 5;
        Assert.False(DataPointWireDecoder.TryDecode(bad.ToByteArray(), layout, row));
        Assert.False(DataPointWireDecoder.TryDecode(bad.ToByteArray(), layout, row));
    }

    private static void AssertSameRow(WireRow expected, WireRow actual, byte[] point, string name)
    {
        Assert.True(expected.Timestamp == actual.Timestamp, name);
        Assert.True(expected.Version == actual.Version, name);
        Assert.True(expected.Kinds.SequenceEqual(actual.Kinds), name);
        for (int c = 0; c < expected.Kinds.Length; c++)
        {
            switch (expected.Kinds[c])
            {
                case WireValueKind.Utf8:
                    Assert.True(point.AsSpan(expected.Starts[c], expected.Lengths[c]).SequenceEqual(point.AsSpan(actual.Starts[c], actual.Lengths[c])), name);
                    break;
                case WireValueKind.Int64 or WireValueKind.Float64:
                    Assert.True(expected.Numbers[c] == actual.Numbers[c], name);
                    break;
            }
        }
    }

    // Family "default" {id string, entity_id string, code int} and family "extra" {region string}; entity entity_id.
    private static Measure TwoFamilyMeasure()
    {
        Measure measure = WriteSchemas.Measure("g");
        measure.TagFamilies.Add(new TagFamilySpec { Name = "extra", Tags = { new TagSpec { Name = "region", Type = TagType.String } } });
        return measure;
    }

    private static MeasureV1.DataPointValue Point(string entity, string region, long total, int secondsAgo)
    {
        MeasureV1.DataPointValue point = WriteSchemas.Point(null, 1, s_now.AddSeconds(-secondsAgo), entity, total).DataPoint;
        point.TagFamilies.Add(new TagFamilyForWrite { Tags = { WriteSchemas.Str(region) } });
        return point;
    }

    private static byte[] TimestampBytes(MeasureV1.DataPointValue point) => new MeasureV1.DataPointValue { Timestamp = point.Timestamp }.ToByteArray();

    private static byte[] FamilyBytes(MeasureV1.DataPointValue point)
    {
        MeasureV1.DataPointValue families = new();
        families.TagFamilies.Add(point.TagFamilies);
        return families.ToByteArray();
    }

    private static byte[] FieldBytes(MeasureV1.DataPointValue point)
    {
        MeasureV1.DataPointValue fields = new() { Version = point.Version };
        fields.Fields.Add(point.Fields);
        return fields.ToByteArray();
    }
}
