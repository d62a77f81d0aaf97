using Banyan.Api.Model.V1;
using Banyan.Silo.Grpc;
using Banyan.Silo.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Status = Banyan.Api.Model.V1.Status;
using Trace = Banyan.Api.Common.V1.Trace;
using TraceSpan = Banyan.Api.Common.V1.Span;

namespace Banyan.Silo.Tests.Grpc;

/// <summary>
/// The silo's encoder of measure query answers against protobuf's own: the same bytes for answers with every kind of
/// tag and field value, values at their defaults and extremes, and answers large enough to grow its list of lengths.
/// </summary>
public sealed class MeasureQueryResponseEncoderTests
{
    private static readonly Marshaller<MeasureV1.QueryResponse> s_marshaller = MeasureQueryResponseEncoder.For(MarshallerHarness.Generated(MeasureV1.QueryResponse.Parser));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Answers_are_the_bytes_protobuf_writes(int seed)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 100; trial++)
        {
            MeasureV1.QueryResponse response = RandomMeasureAnswers.Next(random);
            byte[] expected = response.ToByteArray();
            Assert.Equal(expected, MeasureQueryResponseEncoder.Encode(response));
            Assert.Equal(expected, MarshallerHarness.Marshal(s_marshaller, response));
        }
    }

    [Fact]
    public void Values_at_their_defaults_and_extremes_are_the_bytes_protobuf_writes()
    {
        var point = new MeasureV1.DataPoint
        {
            Timestamp = new Timestamp { Seconds = -1, Nanos = -5 }, // not a valid timestamp, but encodable: int32 sign-extended
            Sid = ulong.MaxValue,
            Version = long.MinValue,
            TagFamilies =
            {
                new TagFamily(),
                new TagFamily
                {
                    Name = "default",
                    Tags =
                    {
                        new Tag(),
                        new Tag { Key = "empty", Value = new TagValue() },
                        new Tag { Key = "null", Value = new TagValue { Null = NullValue.NullValue } },
                        new Tag { Key = "str", Value = new TagValue { Str = new Str() } },
                        new Tag { Key = "strs", Value = new TagValue { StrArray = new StrArray { Value = { string.Empty, "a", string.Empty } } } },
                        new Tag { Key = "int", Value = new TagValue { Int = new Int() } },
                        new Tag { Key = "min", Value = new TagValue { Int = new Int { Value = long.MinValue } } },
                        new Tag { Key = "ints", Value = new TagValue { IntArray = new IntArray() } },
                        new Tag { Key = "ints2", Value = new TagValue { IntArray = new IntArray { Value = { 0, -1, long.MaxValue, 127, 128 } } } },
                        new Tag { Key = "bin", Value = new TagValue { BinaryData = ByteString.Empty } },
                        new Tag { Key = "ts", Value = new TagValue { Timestamp = new Timestamp() } },
                    },
                },
            },
            Fields =
            {
                new MeasureV1.DataPoint.Types.Field(),
                new MeasureV1.DataPoint.Types.Field { Name = "zero", Value = new FieldValue { Float = new Float() } },
                new MeasureV1.DataPoint.Types.Field { Name = "minus zero", Value = new FieldValue { Float = new Float { Value = -0.0 } } },
                new MeasureV1.DataPoint.Types.Field { Name = "nan", Value = new FieldValue { Float = new Float { Value = double.NaN } } },
                new MeasureV1.DataPoint.Types.Field { Name = "int", Value = new FieldValue { Int = new Int() } },
                new MeasureV1.DataPoint.Types.Field { Name = "str", Value = new FieldValue { Str = new Str { Value = "😀" } } },
                new MeasureV1.DataPoint.Types.Field { Name = "bin", Value = new FieldValue { BinaryData = ByteString.Empty } },
                new MeasureV1.DataPoint.Types.Field { Name = "null", Value = new FieldValue { Null = NullValue.NullValue } },
                new MeasureV1.DataPoint.Types.Field { Name = "none", Value = new FieldValue() },
            },
        };
        var response = new MeasureV1.QueryResponse
        {
            DataPoints = { new MeasureV1.DataPoint(), point },
            GroupStatuses = { [string.Empty] = Status.Unspecified, ["g"] = Status.Succeed },
        };

        Assert.Equal(response.ToByteArray(), MeasureQueryResponseEncoder.Encode(response));
        Assert.Equal(new MeasureV1.QueryResponse().ToByteArray(), MeasureQueryResponseEncoder.Encode(new MeasureV1.QueryResponse()));
    }

    [Fact]
    public void A_large_answer_is_the_bytes_protobuf_writes_and_parses_back()
    {
        var random = new Random(7);
        var response = new MeasureV1.QueryResponse();
        for (int i = 0; i < 3000; i++)
        {
            response.DataPoints.Add(RandomMeasureAnswers.Next(random).DataPoints.FirstOrDefault() ?? new MeasureV1.DataPoint { Sid = (ulong)i });
            response.DataPoints.Add(new MeasureV1.DataPoint
            {
                Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddMinutes(i)),
                TagFamilies = { new TagFamily { Name = "default", Tags = { new Tag { Key = "service_id", Value = new TagValue { Str = new Str { Value = $"svc-{i % 7}" } } } } } },
                Fields = { new MeasureV1.DataPoint.Types.Field { Name = "value", Value = new FieldValue { Int = new Int { Value = i * 1000 } } } },
                Sid = (ulong)i,
            });
        }

        byte[] encoded = MeasureQueryResponseEncoder.Encode(response);
        Assert.Equal(response.ToByteArray(), encoded);
        Assert.Equal(response, MeasureV1.QueryResponse.Parser.ParseFrom(encoded));

        // The next, small answer on the same thread starts its list of lengths afresh.
        var small = new MeasureV1.QueryResponse { DataPoints = { new MeasureV1.DataPoint { Sid = 1, Fields = { new MeasureV1.DataPoint.Types.Field { Name = "v" } } } } };
        Assert.Equal(small.ToByteArray(), MeasureQueryResponseEncoder.Encode(small));
    }

    [Fact]
    public void An_answer_with_a_trace_is_left_to_the_generated_encoder()
    {
        var response = new MeasureV1.QueryResponse
        {
            DataPoints = { new MeasureV1.DataPoint { Sid = 3 } },
            Trace = new Trace { TraceId = "t1", Spans = { new TraceSpan { Message = "shard 0" } } },
        };

        Assert.Equal(response.ToByteArray(), MarshallerHarness.Marshal(s_marshaller, response));
        Assert.Throws<ArgumentException>(() => MeasureQueryResponseEncoder.Encode(response));
    }

    [Fact]
    public void Other_messages_keep_their_generated_marshaller_and_decoding_is_unchanged()
    {
        Marshaller<MeasureV1.WriteResponse> other = MarshallerHarness.Generated(MeasureV1.WriteResponse.Parser);
        Assert.Same(other, MeasureQueryResponseEncoder.For(other));

        Marshaller<MeasureV1.QueryResponse> generated = MarshallerHarness.Generated(MeasureV1.QueryResponse.Parser);
        Assert.Same(generated.ContextualDeserializer, MeasureQueryResponseEncoder.For(generated).ContextualDeserializer);
    }
}
