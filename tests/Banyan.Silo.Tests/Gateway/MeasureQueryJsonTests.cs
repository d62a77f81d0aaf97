using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Banyan.Api.Model.V1;
using Banyan.Silo.Gateway;
using Banyan.Silo.Tests.Infrastructure;
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
            MeasureV1.QueryResponse response = RandomMeasureAnswers.Next(random);
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
}
