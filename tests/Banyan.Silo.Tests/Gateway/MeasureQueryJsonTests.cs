using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Banyan.Api.Model.V1;
using Banyan.Silo.Gateway;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Silo.Tests.Gateway;

/// <summary>
/// The gateway's own writer of measure query answers against protobuf's JSON formatter, which the rest of the gateway
/// uses: the same JSON (the same names, the same fields written at their defaults, values equal) for answers with every
/// kind of tag and field value, and parsed back by protobuf's JSON parser into the same message.
/// </summary>
public sealed class MeasureQueryJsonTests
{
    private static readonly JsonFormatter s_formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Answers_are_the_json_protobufs_formatter_writes(int seed)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 50; trial++)
        {
            MeasureV1.QueryResponse response = RandomResponse(random);
            string written = Write(response);

            Assert.Equal(response, JsonParser.Default.Parse<MeasureV1.QueryResponse>(written));
            JsonNode expected = JsonNode.Parse(s_formatter.Format(response))!;
            JsonNode actual = JsonNode.Parse(written)!;
            Assert.True(SameJson(expected, actual), $"trial {trial}:\nexpected {expected.ToJsonString()}\nactual   {actual.ToJsonString()}");
        }
    }

    [Fact]
    public void An_empty_answer_has_its_defaults_written_out()
    {
        Assert.Equal("""{"dataPoints":[],"groupStatuses":{}}""", Write(new MeasureV1.QueryResponse()));
        Assert.Equal(
            """{"dataPoints":[{"tagFamilies":[],"fields":[],"sid":"0","version":"0"}],"groupStatuses":{}}""",
            Write(new MeasureV1.QueryResponse { DataPoints = { new MeasureV1.DataPoint() } }));
    }

    [Fact]
    public void Timestamps_have_the_fewest_fractional_digits_that_hold_them()
    {
        foreach ((int nanos, string text) in new[] { (0, "2024-01-01T00:00:10Z"), (5_000_000, "2024-01-01T00:00:10.005Z"), (5_000, "2024-01-01T00:00:10.000005Z"), (5, "2024-01-01T00:00:10.000000005Z") })
        {
            var point = new MeasureV1.DataPoint { Timestamp = new Timestamp { Seconds = 1_704_067_210, Nanos = nanos } };
            Assert.Contains($"\"timestamp\":\"{text}\"", Write(new MeasureV1.QueryResponse { DataPoints = { point } }), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_answer_with_a_trace_is_left_to_the_general_formatter()
    {
        var response = new MeasureV1.QueryResponse { Trace = new Banyan.Api.Common.V1.Trace() };
        Assert.False(MeasureQueryJson.TryWrite(response, new ArrayBufferWriter<byte>()));
    }

    private static string Write(MeasureV1.QueryResponse response)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.True(MeasureQueryJson.TryWrite(response, output));
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    // Objects with the same properties (in any order), arrays element by element, numbers by value, other values by text.
    private static bool SameJson(JsonNode? a, JsonNode? b) => (a, b) switch
    {
        (null, null) => true,
        (JsonObject x, JsonObject y) => x.Count == y.Count && x.All(p => y.ContainsKey(p.Key) && SameJson(p.Value, y[p.Key])),
        (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(p => SameJson(p.First, p.Second)),
        (JsonValue x, JsonValue y) when x.GetValueKind() == System.Text.Json.JsonValueKind.Number && y.GetValueKind() == System.Text.Json.JsonValueKind.Number
            => x.GetValue<double>().Equals(y.GetValue<double>()),
        (JsonValue x, JsonValue y) => x.ToJsonString() == y.ToJsonString(),
        _ => false,
    };

    private static MeasureV1.QueryResponse RandomResponse(Random random)
    {
        var response = new MeasureV1.QueryResponse();
        for (int p = random.Next(0, 6); p > 0; p--)
        {
            var point = new MeasureV1.DataPoint
            {
                Sid = random.Next(3) == 0 ? 0 : (ulong)random.NextInt64() * 2,
                Version = random.Next(3) == 0 ? 0 : random.NextInt64(long.MinValue, long.MaxValue),
            };
            if (random.Next(4) != 0)
            {
                point.Timestamp = new Timestamp { Seconds = random.NextInt64(0, 4_102_444_800), Nanos = Nanos(random) };
            }

            for (int f = random.Next(0, 3); f > 0; f--)
            {
                var family = new TagFamily { Name = Text(random) };
                for (int t = random.Next(0, 4); t > 0; t--)
                {
                    family.Tags.Add(new Tag { Key = Text(random), Value = random.Next(8) == 0 ? null : RandomTag(random) });
                }

                point.TagFamilies.Add(family);
            }

            for (int f = random.Next(0, 3); f > 0; f--)
            {
                point.Fields.Add(new MeasureV1.DataPoint.Types.Field { Name = Text(random), Value = random.Next(8) == 0 ? null : RandomField(random) });
            }

            response.DataPoints.Add(point);
        }

        for (int g = random.Next(0, 3); g > 0; g--)
        {
            response.GroupStatuses[Text(random)] = (Status)random.Next(0, 4);
        }

        return response;
    }

    private static TagValue RandomTag(Random random) => random.Next(8) switch
    {
        0 => new TagValue { Null = NullValue.NullValue },
        1 => new TagValue { Str = new Str { Value = Text(random) } },
        2 => new TagValue { StrArray = new StrArray { Value = { Text(random), Text(random) } } },
        3 => new TagValue { Int = new Int { Value = random.NextInt64(long.MinValue, long.MaxValue) } },
        4 => new TagValue { IntArray = new IntArray { Value = { random.NextInt64(), -random.NextInt64(), 0 } } },
        5 => new TagValue { BinaryData = ByteString.CopyFrom([.. Enumerable.Range(0, random.Next(0, 9)).Select(_ => (byte)random.Next(256))]) },
        6 => new TagValue { Timestamp = new Timestamp { Seconds = random.NextInt64(0, 4_102_444_800), Nanos = Nanos(random) } },
        _ => new TagValue(),
    };

    private static FieldValue RandomField(Random random) => random.Next(7) switch
    {
        0 => new FieldValue { Null = NullValue.NullValue },
        1 => new FieldValue { Str = new Str { Value = Text(random) } },
        2 => new FieldValue { Int = new Int { Value = random.NextInt64(long.MinValue, long.MaxValue) } },
        3 => new FieldValue { BinaryData = ByteString.CopyFrom([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256))]) },
        4 => new FieldValue { Float = new Float { Value = random.Next(6) switch { 0 => double.NaN, 1 => double.PositiveInfinity, 2 => double.NegativeInfinity, 3 => 1e21 * random.NextDouble(), 4 => random.Next(-1000, 1000) / 4.0, _ => (random.NextDouble() - 0.5) * 1e-7 } } },
        5 => new FieldValue { Float = new Float { Value = Math.Round(random.NextDouble() * 100, 2) } },
        _ => new FieldValue(),
    };

    private static int Nanos(Random random) => random.Next(4) switch
    {
        0 => 0,
        1 => random.Next(0, 1000) * 1_000_000,
        2 => random.Next(0, 1_000_000) * 1_000,
        _ => random.Next(0, 1_000_000_000),
    };

    // Strings with what JSON must escape (quotes, backslashes, control characters), non-ASCII text and protobuf's base64 alphabet.
    private static string Text(Random random)
    {
        string[] pieces = ["svc", "é", "\"", "\\", "\n", "\u0001", "<&>", "日本", "=+/", " ", "\u2028", "😀"];
        return string.Concat(Enumerable.Range(0, random.Next(0, 5)).Select(_ => pieces[random.Next(pieces.Length)]));
    }
}
