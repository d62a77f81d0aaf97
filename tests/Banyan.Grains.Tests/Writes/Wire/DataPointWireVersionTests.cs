using Banyan.Api.Model.V1;
using Banyan.Grains.Writes.Wire;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Writes.Wire;

/// <summary>
/// <see cref="DataPointWireVersion"/> reads a data point's version as Google.Protobuf does: over thousands of corrupted,
/// cut and spliced data points, every one it accepts that parses has the same version, and it refuses every one whose
/// own fields are cut short; the ones clients send are accepted. (What lands of a point malformed inside is the measure
/// grain's decision: <c>WireDataPointPlanTests</c>.)
/// </summary>
public sealed class DataPointWireVersionTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void What_clients_send_is_read()
    {
        MeasureV1.DataPointValue point = WriteSchemas.Point(null, 1, s_now, "service_1_ä", 7).DataPoint;
        point.Version = -3;
        point.TagFamilies.Add(new TagFamilyForWrite
        {
            Tags =
            {
                new TagValue { StrArray = new StrArray { Value = { "a", "b" } } },
                new TagValue { IntArray = new IntArray { Value = { 1, -2, 3 } } },
                new TagValue { BinaryData = ByteString.CopyFrom(0xFF, 0xFE) },
                WriteSchemas.Null(),
                new TagValue { Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(s_now) },
            },
        });
        Assert.True(DataPointWireVersion.TryRead(point.ToByteArray(), out long version));
        Assert.Equal(-3, version);
        Assert.True(DataPointWireVersion.TryRead([], out long none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void A_point_cut_inside_its_own_fields_is_not_vouched_for()
    {
        byte[] bytes = Original();
        for (int length = 1; length < bytes.Length; length++)
        {
            byte[] cut = bytes[..length];
            if (DataPointWireVersion.TryRead(cut, out _))
            {
                // Accepted only where the cut falls between two of the point's own fields: then it parses.
                MeasureV1.DataPointValue.Parser.ParseFrom(cut);
            }
        }

        Assert.False(DataPointWireVersion.TryRead(bytes.AsSpan(0, bytes.Length - 1), out _)); // the last field's length now runs past the end
    }

    [Fact]
    public void Every_corruption_it_accepts_that_parses_has_the_same_version()
    {
        Random random = new(5);
        byte[] original = Original();
        int compared = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = WireCorruption.Corrupt(random, original);
            if (!DataPointWireVersion.TryRead(bytes, out long version))
            {
                rejected++;
                continue;
            }

            MeasureV1.DataPointValue parsed;
            try
            {
                parsed = MeasureV1.DataPointValue.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                continue; // malformed inside: the measure grain refuses it (WireDataPointPlanTests)
            }

            compared++;
            Assert.Equal(parsed.Version, version);
        }

        Assert.InRange(compared, 1_000, int.MaxValue);
        Assert.InRange(rejected, 1_000, int.MaxValue);
    }

    private static byte[] Original()
    {
        MeasureV1.DataPointValue point = WriteSchemas.Point(null, 1, s_now, "entity", 7).DataPoint;
        point.Version = 99;
        point.TagFamilies.Add(new TagFamilyForWrite { Tags = { new TagValue { IntArray = new IntArray { Value = { 1, 300, -2 } } }, new TagValue { StrArray = new StrArray { Value = { "x", "yz" } } } } });
        return point.ToByteArray();
    }
}
