using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Banyan.Api.Measure.V1;
using Google.Protobuf;

namespace Banyan.Benchmarks.Load;

/// <summary>
/// A <c>MeasureService/Write</c> stream sent over raw HTTP/2 that puts many messages into one write: messages are framed
/// (the gRPC length prefix) into a buffer, and the buffer is written to the request body and flushed every
/// <c>flushEvery</c> messages and at the end, so the silo receives DATA frames of many messages. This is what
/// SkyWalking's OAP sends: it writes to BanyanDB through grpc-java, whose Netty transport queues the writes of a burst
/// of <c>onNext</c> calls and flushes them together. Grpc.Net.Client (<see cref="GrpcDotnetLoadWriteCall"/>) flushes
/// each message alone instead, which costs both sides a write, a DATA frame and a wake-up per data point. The bytes of
/// every message are protobuf's, as any client sends them; responses are read and counted as they arrive, and the
/// stream's <c>grpc-status</c> is checked.
/// </summary>
/// <remarks>
/// A write goes to the HTTP/2 request stream as one buffer, with no pipe between: a pipe copied every write into
/// segments rented on the writing thread and returned on the sending one, so the shared array pool kept running dry and
/// handed out fresh arrays, whose first touch (the kernel zeroing their pages) and copy were a third of the load
/// generator's CPU, taken from the two cores the silo shares with it.
/// </remarks>
public sealed class CoalescingLoadWriteCall : ILoadWriteCall
{
    private const int FrameHeader = 5;

    private readonly ArrayBufferWriter<byte> _pending = new(1 << 16);
    private readonly RequestBody _body = new();
    private readonly int _flushEvery;
    private readonly int _readBufferBytes;
    private readonly Task<HttpResponseMessage> _response;
    private int _unflushed;

    /// <summary>Starts the call on <paramref name="http"/> (an HTTP/2 client of the silo at <paramref name="address"/>).</summary>
    /// <param name="http">The HTTP/2 client (<see cref="CreateClient"/>).</param>
    /// <param name="address">The silo's gRPC address.</param>
    /// <param name="flushEvery">Messages per write of <see cref="WriteAsync"/>.</param>
    /// <param name="cancellationToken">Ends the call.</param>
    /// <param name="readBufferBytes">The response buffer's first size (it grows for a longer message; tests make it small).</param>
    public CoalescingLoadWriteCall(HttpClient http, Uri address, int flushEvery, CancellationToken cancellationToken, int readBufferBytes = 1 << 16)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentOutOfRangeException.ThrowIfLessThan(flushEvery, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(readBufferBytes, 1);
        _flushEvery = flushEvery;
        _readBufferBytes = readBufferBytes;
        HttpRequestMessage request = new(HttpMethod.Post, new Uri(address, "/banyandb.measure.v1.MeasureService/Write"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = _body,
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        _response = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>An HTTP/2 (cleartext, prior knowledge) client for these streams; one connection carries them all.</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { EnableMultipleHttp2Connections = false }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <inheritdoc/>
    public ValueTask WriteAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Frame(request, _pending);
        if (++_unflushed < _flushEvery)
        {
            return ValueTask.CompletedTask;
        }

        _unflushed = 0;
        return SendPendingAsync(cancellationToken);
    }

    /// <summary>
    /// Sends messages framed beforehand by <see cref="Frame"/> (one write's worth), and flushes them: the write of a
    /// <see cref="LoadClient.Prepared"/> stream.
    /// </summary>
    public ValueTask WriteFramedAsync(ReadOnlyMemory<byte> framed, CancellationToken cancellationToken) => SendAsync(framed, cancellationToken);

    /// <summary>Appends <paramref name="request"/> to <paramref name="output"/> as a gRPC message: the 5-byte prefix, then its protobuf bytes.</summary>
    public static void Frame(WriteRequest request, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        int size = request.CalculateSize();
        Span<byte> frame = output.GetSpan(FrameHeader + size);
        frame[0] = 0; // not compressed
        BinaryPrimitives.WriteUInt32BigEndian(frame[1..], (uint)size);
        request.WriteTo(frame.Slice(FrameHeader, size));
        output.Advance(FrameHeader + size);
    }

    /// <inheritdoc/>
    public async Task CompleteAsync()
    {
        if (_pending.WrittenCount > 0)
        {
            await SendPendingAsync(CancellationToken.None);
        }

        _body.End();
    }

    /// <inheritdoc/>
    public async Task<WriteResponseTally> ReadResponsesAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _response;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"MeasureService/Write answered HTTP {(int)response.StatusCode}");
        }

        WriteResponseTally tally = new();
        Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);

        // One buffer for the call's responses: whole messages are counted where they lie, a partial one moves to the front.
        byte[] buffer = new byte[_readBufferBytes];
        int start = 0;
        int end = 0;
        while (true)
        {
            if (end == buffer.Length)
            {
                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                else
                {
                    Array.Resize(ref buffer, buffer.Length * 2); // one message longer than the buffer
                }
            }

            int read = await body.ReadAsync(buffer.AsMemory(end), cancellationToken);
            if (read == 0)
            {
                if (end > start)
                {
                    throw new InvalidDataException($"MeasureService/Write ended inside a message ({end - start} bytes left)");
                }

                break;
            }

            end += read;
            start += CountWholeMessages(buffer.AsSpan(start, end - start), tally);
            if (start == end)
            {
                start = 0;
                end = 0;
            }
        }

        string? status = GrpcHeader(response, "grpc-status");
        if (status != "0")
        {
            throw new InvalidOperationException($"MeasureService/Write ended with grpc-status {status ?? "(none)"}: {GrpcHeader(response, "grpc-message")}");
        }

        return tally;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _body.End();
        if (_response.IsCompletedSuccessfully)
        {
            _response.Result.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask SendPendingAsync(CancellationToken cancellationToken)
    {
        await SendAsync(_pending.WrittenMemory, cancellationToken);
        _pending.ResetWrittenCount();
    }

    // Writes bytes to the request body once the HTTP/2 stream asked for it, and flushes them.
    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Stream body = await BodyStreamAsync(cancellationToken);
        await body.WriteAsync(bytes, cancellationToken);
        await body.FlushAsync(cancellationToken);
    }

    // The request body's stream, once HttpClient asked for the body. A call that failed before fails here; a call the
    // server ended before the body was asked for (a trailers-only answer, or not gRPC's 200) never asks for it, and says why.
    private async ValueTask<Stream> BodyStreamAsync(CancellationToken cancellationToken)
    {
        Task<Stream> stream = _body.Stream;
        if (!stream.IsCompleted && await Task.WhenAny(stream, _response).WaitAsync(cancellationToken) == _response && !stream.IsCompleted)
        {
            HttpResponseMessage answered = await _response; // rethrows the call's failure
            if (answered.StatusCode != HttpStatusCode.OK || GrpcHeader(answered, "grpc-status") is not null)
            {
                throw new InvalidOperationException($"MeasureService/Write ended before its request body was sent: HTTP {(int)answered.StatusCode}, grpc-status {GrpcHeader(answered, "grpc-status") ?? "(none)"}: {GrpcHeader(answered, "grpc-message")}");
            }
        }

        return await stream.WaitAsync(cancellationToken);
    }

    // Counts the whole length-prefixed messages at the start of bytes; returns the bytes they take.
    private static int CountWholeMessages(ReadOnlySpan<byte> bytes, WriteResponseTally tally)
    {
        int consumed = 0;
        while (bytes.Length - consumed >= FrameHeader)
        {
            ReadOnlySpan<byte> header = bytes.Slice(consumed, FrameHeader);
            if (header[0] != 0)
            {
                throw new InvalidDataException("MeasureService/Write sent a compressed message; this client asks for none");
            }

            long length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
            if (bytes.Length - consumed - FrameHeader < length)
            {
                break;
            }

            tally.Add(bytes.Slice(consumed + FrameHeader, (int)length));
            consumed += FrameHeader + (int)length;
        }

        return consumed;
    }

    // gRPC puts the status in the trailers, or in the headers of a response without a body (trailers-only).
    private static string? GrpcHeader(HttpResponseMessage response, string name)
        => response.TrailingHeaders.TryGetValues(name, out IEnumerable<string>? values) || response.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    // The request body: HttpClient hands its stream over when it starts sending the body, and the body ends when the call
    // says so (the request stays open meanwhile, as a bidirectional call's must).
    private sealed class RequestBody : HttpContent
    {
        private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // The body's stream, once HttpClient asks for the body.
        public Task<Stream> Stream => _stream.Task;

        public void End() => _ended.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            _stream.TrySetResult(stream);
            await _ended.Task.WaitAsync(cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
