using Banyan.Api.Model.V1;
using Banyan.Grains.Writes.Wire;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Writes.Wire;

/// <summary>
/// <see cref="DataPointWireCheck"/> vouches only for bytes Google.Protobuf parses: over thousands of corrupted, cut and
/// spliced data points, every one it accepts parses, with the same version; and the ones clients send are accepted.
/// </summary>
public sealed class DataPointWireCheckTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void What_clients_send_is_vouched_for()
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
        Assert.True(DataPointWireCheck.TryCheck(point.ToByteArray(), out long version));
        Assert.Equal(-3, version);
        Assert.True(DataPointWireCheck.TryCheck([], out long none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void Invalid_utf8_in_a_tag_string_is_not_vouched_for()
    {
        MeasureV1.DataPointValue point = WriteSchemas.Point(null, 1, s_now, "AAAA", 7).DataPoint;
        byte[] bytes = point.ToByteArray();
        int at = bytes.AsSpan().IndexOf("AAAA"u8);
        bytes[at] = 0xC3; // a lead byte followed by 'A': not UTF-8
        Assert.False(DataPointWireCheck.TryCheck(bytes, out _));
    }

    [Fact]
    public void Every_corruption_it_accepts_parses_with_the_same_version()
    {
        Random random = new(5);
        byte[] original = Original();
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = Corrupt(random, original);
            if (!DataPointWireCheck.TryCheck(bytes, out long version))
            {
                rejected++;
                continue;
            }

            accepted++;
            MeasureV1.DataPointValue parsed = MeasureV1.DataPointValue.Parser.ParseFrom(bytes); // throws if the check was wrong
            Assert.Equal(parsed.Version, version);
        }

        Assert.InRange(accepted, 1_000, int.MaxValue);
        Assert.InRange(rejected, 1_000, int.MaxValue);
    }

    private static byte[] Original()
    {
        MeasureV1.DataPointValue point = WriteSchemas.Point(null, 1, s_now, "entity", 7).DataPoint;
        point.Version = 99;
        point.TagFamilies.Add(new TagFamilyForWrite { Tags = { new TagValue { IntArray = new IntArray { Value = { 1, 300, -2 } } }, new TagValue { StrArray = new StrArray { Value = { "x", "yz" } } } } });
        return point.ToByteArray();
    }

    private static byte[] Corrupt(Random random, byte[] original)
    {
        byte[] bytes = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 1:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 2:
                return bytes[..random.Next(bytes.Length)];
            default:
                int cut = random.Next(bytes.Length);
                return [.. bytes[..cut], .. original[random.Next(original.Length)..]];
        }
    }
}
