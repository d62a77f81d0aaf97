using System.Buffers;
using Banyan.Silo.Grpc;
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
            Assert.Equal(response.ToByteArray(), Marshal(WriteResponseMarshaller.For(Generated(MeasureV1.WriteResponse.Parser)), response));
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
            Assert.Equal(response.ToByteArray(), Marshal(WriteResponseMarshaller.For(Generated(StreamV1.WriteResponse.Parser)), response));
        }
    }

    [Fact]
    public void A_metadata_object_changed_after_it_was_encoded_is_encoded_again()
    {
        Marshaller<MeasureV1.WriteResponse> marshaller = WriteResponseMarshaller.For(Generated(MeasureV1.WriteResponse.Parser));
        Metadata metadata = new() { Group = "sw_metric", Name = "service_cpm", ModRevision = 3 };
        MeasureV1.WriteResponse first = new() { MessageId = 1, Status = "STATUS_SUCCEED", Metadata = metadata };
        Assert.Equal(first.ToByteArray(), Marshal(marshaller, first));

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
            Assert.Equal(next.ToByteArray(), Marshal(marshaller, next));
        }
    }

    [Fact]
    public void Other_messages_keep_their_generated_marshaller_and_decoding_is_unchanged()
    {
        Marshaller<MeasureV1.QueryResponse> generated = Generated(MeasureV1.QueryResponse.Parser);
        Assert.Same(generated, WriteResponseMarshaller.For(generated));

        Marshaller<MeasureV1.WriteResponse> write = Generated(MeasureV1.WriteResponse.Parser);
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

    private static Marshaller<T> Generated<T>(MessageParser<T> parser)
        where T : IMessage<T>
        => Marshallers.Create<T>(m => m.ToByteArray(), parser.ParseFrom);

    private static byte[] Marshal<T>(Marshaller<T> marshaller, T message)
    {
        BufferContext context = new();
        marshaller.ContextualSerializer(message, context);
        return context.Bytes;
    }

    private sealed class BufferContext : SerializationContext
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();
        private int _declared = -1;

        public byte[] Bytes { get; private set; } = [];

        public override void SetPayloadLength(int payloadLength) => _declared = payloadLength;

        public override IBufferWriter<byte> GetBufferWriter() => _buffer;

        public override void Complete()
        {
            Assert.Equal(_declared, _buffer.WrittenCount);
            Bytes = _buffer.WrittenSpan.ToArray();
        }

        public override void Complete(byte[] payload) => Bytes = payload;
    }
}
