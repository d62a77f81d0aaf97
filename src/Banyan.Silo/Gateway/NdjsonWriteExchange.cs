using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Banyan.Silo.Gateway;

/// <summary>
/// A write over HTTP (<c>POST /api/v1/{stream,measure}/write</c>, beyond BanyanDB) as the gRPC write stream the service
/// serves: each line of the request body is one <c>WriteRequest</c> in JSON, read and handed to the service's write pump
/// as it arrives; each <c>WriteResponse</c> the pump sends is one line of the answer (<c>application/x-ndjson</c>), flushed
/// at once. The body is never held whole: at most one line, of at most <see cref="SiloHostOptions.HttpMaxMessageSize"/>.
/// </summary>
/// <remarks>
/// A line that cannot be read (not JSON, not a <c>WriteRequest</c>, too long) never reaches the pump: it gets its own
/// answer line, the error body <c>{"code", "message": "line N: …", "details"}</c>, in its place among the responses, and
/// the lines after it go on. Every non-blank line therefore gets exactly one answer line, in line order. An error of the
/// stream itself (the first request without metadata) ends the exchange: before anything was answered, as an HTTP
/// error with its status; after, as a last error line.
/// </remarks>
/// <typeparam name="TRequest">The write request message.</typeparam>
/// <typeparam name="TResponse">The write response message.</typeparam>
internal sealed class NdjsonWriteExchange<TRequest, TResponse> : IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, IDisposable
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : IMessage<TResponse>
{
    /// <summary>The media type of the answer.</summary>
    public const string MediaType = "application/x-ndjson";

    private static readonly byte[] s_newline = "\n"u8.ToArray();
    private readonly HttpResponse _response;
    private readonly NdjsonLineReader _lines;
    private readonly string _rpc;

    // Lines refused before reaching the pump, each with the number of requests handed over before it: it is answered
    // just before the response to that request (written by the pump's responder, concurrently with reading).
    private readonly ConcurrentQueue<(long Before, byte[] Body)> _refused = new();
    private long _handedOver;
    private long _answered;
    private TRequest? _current;

    /// <summary>An exchange over <paramref name="http"/>'s body and response, lines of at most <paramref name="maxLineBytes"/>.</summary>
    public NdjsonWriteExchange(HttpContext http, int maxLineBytes, string rpc)
    {
        // A write stream may last long and pause: no body size limit (lines are limited instead), no minimum data rate.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        _response = http.Response;
        _lines = new NdjsonLineReader(http.Request.BodyReader, maxLineBytes);
        _rpc = rpc;
    }

    /// <summary>The number of the line the last request handed to the pump came from (0 before the first).</summary>
    public int CurrentLine { get; private set; }

    /// <inheritdoc/>
    public TRequest Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true; this is a bug.");

    /// <inheritdoc/>
    public WriteOptions? WriteOptions { get; set; }

    /// <inheritdoc/>
    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        while (await _lines.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Error is not null)
            {
                Refuse(line.Error);
                continue;
            }

            try
            {
                _current = GatewayCodec.Parse<TRequest>(line.Text!, $"line {line.Number}");
            }
            catch (RpcException e)
            {
                Refuse(e);
                continue;
            }

            CurrentLine = line.Number;
            Interlocked.Increment(ref _handedOver);
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public Task WriteAsync(TResponse message) => WriteAsync(message, _response.HttpContext.RequestAborted);

    /// <inheritdoc/>
    public async Task WriteAsync(TResponse message, CancellationToken cancellationToken)
    {
        await WriteRefusedAsync(_answered, cancellationToken);
        await WriteLineAsync(Encoding.UTF8.GetBytes(GatewayCodec.Format(message)), cancellationToken);
        _answered++;
        await _response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>After the pump ended: the answers to refused lines after the last request, then the end of the answer.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await WriteRefusedAsync(long.MaxValue, cancellationToken);
        Start();
        await _response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The pump ended with an error of the stream (<paramref name="status"/>): answered as an HTTP error when nothing was
    /// answered yet, else as a last line after the refused lines still to answer.
    /// </summary>
    public async Task FailAsync(Status status, int httpStatus, CancellationToken cancellationToken)
    {
        Status named = new(status.StatusCode, CurrentLine > 0 ? $"line {CurrentLine}: {status.Detail}" : status.Detail);
        if (!_response.HasStarted)
        {
            await GatewayErrors.WriteStatusAsync(_response, named, httpStatus);
            return;
        }

        await WriteRefusedAsync(long.MaxValue, cancellationToken);
        await WriteLineAsync(GatewayErrors.Body(named), cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose() => _lines.Dispose();

    private void Refuse(Exception error)
    {
        (Status status, _) = GatewayErrors.Of(error, callCancelled: false, _rpc);
        _refused.Enqueue((Interlocked.Read(ref _handedOver), GatewayErrors.Body(status)));
    }

    private async Task WriteRefusedAsync(long before, CancellationToken cancellationToken)
    {
        while (_refused.TryPeek(out (long Before, byte[] Body) refused) && refused.Before <= before)
        {
            _refused.TryDequeue(out _);
            await WriteLineAsync(refused.Body, cancellationToken);
        }
    }

    private async Task WriteLineAsync(byte[] json, CancellationToken cancellationToken)
    {
        Start();
        await _response.Body.WriteAsync(json, cancellationToken);
        await _response.Body.WriteAsync(s_newline, cancellationToken);
    }

    private void Start()
    {
        if (!_response.HasStarted)
        {
            _response.StatusCode = StatusCodes.Status200OK;
            _response.ContentType = MediaType;
        }
    }
}
