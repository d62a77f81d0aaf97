using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Banyan.Api.Measure.V1;
using Google.Protobuf;

namespace Banyan.Benchmarks.Load;

/// <summary>
/// A <c>MeasureService/Write</c> stream sent over raw HTTP/2 that puts many messages into one write: messages are framed
/// (the gRPC length prefix) into a pipe, and the pipe is flushed to the request body every <c>flushEvery</c> messages and
/// at the end, so the silo receives DATA frames of many messages. This is what SkyWalking's OAP sends: it writes to
/// BanyanDB through grpc-java, whose Netty transport queues the writes of a burst of <c>onNext</c> calls and flushes them
/// together. Grpc.Net.Client (<see cref="GrpcDotnetLoadWriteCall"/>) flushes each message alone instead, which costs
/// both sides a write, a DATA frame and a wake-up per data point. The bytes of every message are protobuf's, as any
/// client sends them; responses are read and counted as they arrive, and the stream's <c>grpc-status</c> is checked.
/// </summary>
public sealed class CoalescingLoadWriteCall : ILoadWriteCall
{
    private const int FrameHeader = 5;

    private readonly Pipe _body = new(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false));
    private readonly int _flushEvery;
    private readonly Task<HttpResponseMessage> _response;
    private int _unflushed;

    /// <summary>Starts the call on <paramref name="http"/> (an HTTP/2 client of the silo at <paramref name="address"/>).</summary>
    public CoalescingLoadWriteCall(HttpClient http, Uri address, int flushEvery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentOutOfRangeException.ThrowIfLessThan(flushEvery, 1);
        _flushEvery = flushEvery;
        HttpRequestMessage request = new(HttpMethod.Post, new Uri(address, "/banyandb.measure.v1.MeasureService/Write"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new PipeBodyContent(_body.Reader),
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
        Frame(request, _body.Writer);
        if (++_unflushed < _flushEvery)
        {
            return ValueTask.CompletedTask;
        }

        _unflushed = 0;
        return FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Sends messages framed beforehand by <see cref="Frame"/> (one write's worth), and flushes them: the write of a
    /// <see cref="LoadClient.Prepared"/> stream.
    /// </summary>
    public ValueTask WriteFramedAsync(ReadOnlyMemory<byte> framed, CancellationToken cancellationToken)
    {
        _body.Writer.Write(framed.Span);
        return FlushAsync(cancellationToken);
    }

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
        await _body.Writer.FlushAsync();
        await _body.Writer.CompleteAsync();
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
        PipeReader reader = PipeReader.Create(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (true)
        {
            ReadResult read = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = read.Buffer;
            while (TryTakeFrame(ref buffer, out ReadOnlySequence<byte> message))
            {
                tally.Add(message);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    throw new InvalidDataException($"MeasureService/Write ended inside a message ({buffer.Length} bytes left)");
                }

                break;
            }
        }

        await reader.CompleteAsync();
        string? status = GrpcHeader(response, "grpc-status");
        if (status != "0")
        {
            throw new InvalidOperationException($"MeasureService/Write ended with grpc-status {status ?? "(none)"}: {GrpcHeader(response, "grpc-message")}");
        }

        return tally;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _body.Writer.CompleteAsync();
        if (_response.IsCompletedSuccessfully)
        {
            _response.Result.Dispose();
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken) => await _body.Writer.FlushAsync(cancellationToken);

    // A whole length-prefixed message at the start of buffer: its payload, and buffer moved past it.
    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (buffer.Length < FrameHeader)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[FrameHeader];
        buffer.Slice(0, FrameHeader).CopyTo(header);
        if (header[0] != 0)
        {
            throw new InvalidDataException("MeasureService/Write sent a compressed message; this client asks for none");
        }

        long length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (buffer.Length < FrameHeader + length)
        {
            return false;
        }

        message = buffer.Slice(FrameHeader, length);
        buffer = buffer.Slice(FrameHeader + length);
        return true;
    }

    // gRPC puts the status in the trailers, or in the headers of a response without a body (trailers-only).
    private static string? GrpcHeader(HttpResponseMessage response, string name)
        => response.TrailingHeaders.TryGetValues(name, out IEnumerable<string>? values) || response.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    // The request body: whatever the pipe holds, copied to the HTTP/2 stream as it is flushed.
    private sealed class PipeBodyContent(PipeReader source) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            while (true)
            {
                ReadResult read = await source.ReadAsync(cancellationToken);
                foreach (ReadOnlyMemory<byte> segment in read.Buffer)
                {
                    await stream.WriteAsync(segment, cancellationToken);
                }

                await stream.FlushAsync(cancellationToken);
                source.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            await source.CompleteAsync();
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
