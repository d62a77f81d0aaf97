using System.Buffers;
using Banyan.Silo.Grpc;
using Banyan.Silo.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Silo.Tests.Grpc;

public sealed class WriteResponseMarshallerTests
{
    public static TheoryData<ulong, string> Responses => new()
    {
        { 0, string.Empty },
        { 1, "STATUS_SUCCEED" },
        { 127, "STATUS_INVALID_TIMESTAMP" },
        { 128, "STATUS_NOT_FOUND" },
        { ulong.MaxValue, "STATUS_INTERNAL_ERROR" },
        { 300, "ünïcödé" },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void A_measure_write_response_is_encoded_as_protobuf_encodes_it(ulong messageId, string status)
    {
        foreach (Metadata? metadata in Metadatas())
        {
            MeasureV1.WriteResponse response = new() { MessageId = messageId, Status = status, Metadata = metadata };
            Assert.Equal(response.ToByteArray(), MarshallerHarness.Marshal(WriteResponseMarshaller.For(MarshallerHarness.Generated(MeasureV1.WriteResponse.Parser)), response));
            Assert.Equal(response.ToByteArray(), WriteResponseMarshaller.Encode(messageId, status, metadata));
        }
    }

    [Theory]
    [MemberData(nameof(Responses))]
    public void A_stream_write_response_is_encoded_as_protobuf_encodes_it(ulong messageId, string status)
    {
        foreach (Metadata? metadata in Metadatas())
        {
            StreamV1.WriteResponse response = new() { MessageId = messageId, Status = status, Metadata = metadata };
            Assert.Equal(response.ToByteArray(), MarshallerHarness.Marshal(WriteResponseMarshaller.For(MarshallerHarness.Generated(StreamV1.WriteResponse.Parser)), response));
        }
    }

    [Fact]
    public void A_framed_write_response_is_the_grpc_frame_of_protobuf_s_bytes_whatever_came_before_it()
    {
        // WriteFrame keeps the status and metadata fields it encoded last and copies them after each id: responses with
        // every status and metadata, one after another in an order that changes each, and metadata changed in place
        // after it was encoded, must each be framed as protobuf encodes them.
        Random random = new(5);
        Metadata mutable = new() { Group = "g", Name = "n" };
        List<Metadata?> metadatas = [.. Metadatas(), mutable];
        ArrayBufferWriter<byte> writer = new();
        for (int i = 0; i < 2_000; i++)
        {
            object[] response = Responses.ElementAt(random.Next(Responses.Count));
            (ulong messageId, string status) = ((ulong)response[0], (string)response[1]);
            Metadata? metadata = metadatas[random.Next(metadatas.Count)];
            if (random.Next(50) == 0)
            {
                mutable.Name = "n" + i;
            }

            writer.Clear();
            WriteResponseMarshaller.WriteFrame(writer, messageId, status, metadata);
            byte[] expected = new MeasureV1.WriteResponse { MessageId = messageId, Status = status, Metadata = metadata }.ToByteArray();
            Assert.Equal([0, .. BigEndian(expected.Length), .. expected], writer.WrittenSpan.ToArray());
        }

        static byte[] BigEndian(int length) => [(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];
    }

    [Fact]
    public void A_metadata_object_changed_after_it_was_encoded_is_encoded_again()
    {
        Marshaller<MeasureV1.WriteResponse> marshaller = WriteResponseMarshaller.For(MarshallerHarness.Generated(MeasureV1.WriteResponse.Parser));
        Metadata metadata = new() { Group = "sw_metric", Name = "service_cpm", ModRevision = 3 };
        MeasureV1.WriteResponse first = new() { MessageId = 1, Status = "STATUS_SUCCEED", Metadata = metadata };
        Assert.Equal(first.ToByteArray(), MarshallerHarness.Marshal(marshaller, first));

        foreach (Action<Metadata> change in new Action<Metadata>[]
        {
            m => m.Group = "other_group",
            m => m.Name = "other_name",
            m => m.Id = 9,
            m => m.CreateRevision = 11,
            m => m.ModRevision = 12,
        })
        {
            change(metadata);
            MeasureV1.WriteResponse next = new() { MessageId = 2, Status = "STATUS_SUCCEED", Metadata = metadata };
            Assert.Equal(next.ToByteArray(), MarshallerHarness.Marshal(marshaller, next));
        }
    }

    [Fact]
    public void Other_messages_keep_their_generated_marshaller_and_decoding_is_unchanged()
    {
        Marshaller<MeasureV1.QueryResponse> generated = MarshallerHarness.Generated(MeasureV1.QueryResponse.Parser);
        Assert.Same(generated, WriteResponseMarshaller.For(generated));

        Marshaller<MeasureV1.WriteResponse> write = MarshallerHarness.Generated(MeasureV1.WriteResponse.Parser);
        Assert.Same(write.ContextualDeserializer, WriteResponseMarshaller.For(write).ContextualDeserializer);
    }

    private static IEnumerable<Metadata?> Metadatas() =>
    [
        null,
        new Metadata(),
        new Metadata { Group = "sw_metric", Name = "service_cpm_minute" },
        new Metadata { Group = "g", Name = "n", Id = 4, CreateRevision = 1_700_000_000_000, ModRevision = -1 },
        new Metadata { Group = new string('x', 200), Name = "n" },
    ];
}
