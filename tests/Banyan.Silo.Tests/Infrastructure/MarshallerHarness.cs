using System.Buffers;
using Google.Protobuf;
using Grpc.Core;

namespace Banyan.Silo.Tests.Infrastructure;

/// <summary>Runs a gRPC marshaller as Grpc.AspNetCore does, for the tests of the silo's own response encoders.</summary>
internal static class MarshallerHarness
{
    /// <summary>A marshaller like the generated code's: protobuf's own encoder and parser.</summary>
    public static Marshaller<T> Generated<T>(MessageParser<T> parser)
        where T : IMessage<T>
        => Marshallers.Create<T>(m => m.ToByteArray(), parser.ParseFrom);

    /// <summary>The bytes <paramref name="marshaller"/> writes for <paramref name="message"/>, checked against the length it declared.</summary>
    public static byte[] Marshal<T>(Marshaller<T> marshaller, T message)
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
