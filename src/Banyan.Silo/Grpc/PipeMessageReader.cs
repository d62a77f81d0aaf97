using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;

namespace Banyan.Silo.Grpc;

/// <summary>
/// Reads the length-prefixed messages of a gRPC request stream straight from the HTTP/2 request body, for the two
/// write streams. Grpc.AspNetCore's own reader reads the body once per message, an asynchronous step each; a client
/// that sends many messages per DATA frame (grpc-java queues a burst of writes and flushes them together) has them all
/// in one read, and this reader hands out every whole message of a read without another step.
/// </summary>
/// <remarks>
/// The same answers as Grpc.AspNetCore plus <see cref="StrictDecodingMethodProvider{TService}"/>: a message longer than
/// <c>maxMessageSize</c> is RESOURCE_EXHAUSTED, one that does not decode INVALID_ARGUMENT with the decoder's reason, a
/// body that ends inside a message INTERNAL, and a compressed message INTERNAL (it is used only for calls that declare
/// no <c>grpc-encoding</c>; the services keep Grpc.AspNetCore's reader for the others, which decompress).
/// </remarks>
/// <typeparam name="TMessage">What each message is decoded into.</typeparam>
public sealed class PipeMessageReader<TMessage> : IAsyncStreamReader<TMessage>
{
    private const int HeaderLength = 5;
    private static readonly Task<bool> s_true = Task.FromResult(true);

    private readonly PipeReader _body;
    private readonly Func<ReadOnlySequence<byte>, TMessage> _decode;
    private readonly int _maxMessageSize;
    private ReadOnlySequence<byte> _buffered;
    private bool _holding;   // a ReadResult is held: AdvanceTo must come before the next ReadAsync
    private bool _completed; // the body has ended

    /// <summary>
    /// A reader that hands each message's bytes to <paramref name="decode"/>, which returns what <see cref="Current"/>
    /// becomes or throws the <see cref="RpcException"/> the client gets for bytes it cannot take.
    /// </summary>
    public PipeMessageReader(PipeReader body, Func<ReadOnlySequence<byte>, TMessage> decode, int maxMessageSize)
    {
        _body = body;
        _decode = decode;
        _maxMessageSize = maxMessageSize;
    }

    /// <inheritdoc/>
    public TMessage Current { get; private set; } = default!;

    /// <inheritdoc/>
    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        // The common case: the last read holds the next message whole.
        return _holding && TryTake() ? s_true : MoveNextSlowAsync(cancellationToken);
    }

    private async Task<bool> MoveNextSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_holding)
            {
                _body.AdvanceTo(_buffered.Start, _buffered.End);
                _holding = false;
            }

            if (_completed)
            {
                return false;
            }

            ReadResult read = await _body.ReadAsync(cancellationToken);
            if (read.IsCanceled)
            {
                throw new OperationCanceledException("The request body read was canceled.");
            }

            _buffered = read.Buffer;
            _holding = true;
            if (TryTake())
            {
                return true;
            }

            if (read.IsCompleted)
            {
                _completed = true;
                if (!_buffered.IsEmpty)
                {
                    throw new RpcException(new Status(StatusCode.Internal, "Incomplete message."));
                }
            }
        }
    }

    // Decodes the next whole message of the held buffer into Current; false when the buffer holds none.
    private bool TryTake()
    {
        if (_buffered.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        _buffered.Slice(0, HeaderLength).CopyTo(header);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)_maxMessageSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."));
        }

        if (header[0] != 0)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Request did not include grpc-encoding value with compressed message."));
        }

        if (_buffered.Length < HeaderLength + length)
        {
            return false;
        }

        ReadOnlySequence<byte> payload = _buffered.Slice(HeaderLength, length);
        Current = _decode(payload);
        _buffered = _buffered.Slice(payload.End);
        return true;
    }
}

/// <summary>Makes <see cref="PipeMessageReader{TMessage}"/>s.</summary>
public static class PipeMessageReader
{
    /// <summary>A reader that parses each message with <paramref name="parser"/> (INVALID_ARGUMENT with the parser's reason when it cannot).</summary>
    public static PipeMessageReader<TMessage> Parsing<TMessage>(PipeReader body, MessageParser<TMessage> parser, int maxMessageSize)
        where TMessage : IMessage<TMessage>
    {
        ArgumentNullException.ThrowIfNull(parser);
        return new PipeMessageReader<TMessage>(body, payload => Parse(parser, payload), maxMessageSize);
    }

    /// <summary>Parses one message with <paramref name="parser"/>; INVALID_ARGUMENT with the parser's reason when it cannot.</summary>
    public static TMessage Parse<TMessage>(MessageParser<TMessage> parser, ReadOnlySequence<byte> payload)
        where TMessage : IMessage<TMessage>
    {
        ArgumentNullException.ThrowIfNull(parser);
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw StrictDecoding.NotDecodable(typeof(TMessage), e);
        }
    }
}
