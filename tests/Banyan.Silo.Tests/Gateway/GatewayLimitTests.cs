using System.Net;
using System.Text;
using Banyan.Silo.Tests.Infrastructure;
using Grpc.Core;

namespace Banyan.Silo.Tests.Gateway;

/// <summary>
/// The 16 MiB limit of a unary body (BanyanDB's): a body of exactly the limit is read, one byte more is refused with 413
/// naming the limit, with or without Content-Length, and the refusal comes while the body is still arriving (the gateway
/// does not wait for, or keep, what lies beyond the limit).
/// </summary>
public sealed class GatewayLimitTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>, IDisposable
{
    private const int Limit = 16 * 1024 * 1024;
    private const string LimitMessage = "The request body is larger than the gateway's limit of 16777216 bytes (16 MiB, Silo:HttpMaxMessageSize)";
    private readonly GatewayHttp _http = new(fixture.Host.HttpPort);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_read_and_one_byte_more_is_413_naming_the_limit()
    {
        // A query of an unknown group, padded with spaces: read and parsed, so the service answers NOT_FOUND.
        byte[] exact = Padded(Limit);
        using HttpRequestMessage atLimit = new(HttpMethod.Post, new Uri("/api/v1/measure/data", UriKind.Relative)) { Content = new ByteArrayContent(exact) };
        (await _http.SendAsync(atLimit)).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound);

        // One byte more, announced by Content-Length: refused before the body is sent (the client waits for 100 Continue, as curl does).
        using HttpRequestMessage over = new(HttpMethod.Post, new Uri("/api/v1/measure/data", UriKind.Relative)) { Content = new ByteArrayContent(Padded(Limit + 1)) };
        over.Headers.ExpectContinue = true;
        Assert.Equal(LimitMessage, (await _http.SendAsync(over)).AssertError(HttpStatusCode.RequestEntityTooLarge, StatusCode.ResourceExhausted));

        // The gateway goes on serving.
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/v1/common/api/version")).Status);
    }

    [Fact]
    public async Task A_chunked_body_of_the_limit_is_read_and_a_longer_one_refused_while_it_is_still_arriving()
    {
        await using (RawHttpExchange exact = await RawHttpExchange.PostAsync(fixture.Host.HttpPort, "/api/v1/measure/data", "application/json"))
        {
            await SendInChunksAsync(exact, Padded(Limit));
            await exact.EndAsync();
            (int status, _) = await exact.ReadHeadAsync();
            Assert.Equal(404, status);
            GatewayAnswer.AssertErrorBody(await exact.ReadBodyToEndAsync(), StatusCode.NotFound);
        }

        await using (RawHttpExchange oneMore = await RawHttpExchange.PostAsync(fixture.Host.HttpPort, "/api/v1/measure/data", "application/json"))
        {
            await SendUntilRefusedAsync(oneMore, Padded(Limit + 1));
            (int status, _) = await oneMore.ReadHeadAsync();
            Assert.Equal(413, status);
            Assert.Equal(LimitMessage, GatewayAnswer.AssertErrorBody(await oneMore.ReadBodyToEndAsync(), StatusCode.ResourceExhausted));
        }

        // Past the limit, and the body never ends: the answer comes anyway.
        await using RawHttpExchange over = await RawHttpExchange.PostAsync(fixture.Host.HttpPort, "/api/v1/stream/data", "application/json");
        Task sending = SendUntilRefusedAsync(over, Padded(Limit + (64 * 1024)));
        (int overStatus, Dictionary<string, string> headers) = await over.ReadHeadAsync();
        Assert.Equal(413, overStatus);
        Assert.Equal("application/json", headers["Content-Type"]);
        Assert.Equal(LimitMessage, GatewayAnswer.AssertErrorBody(await over.ReadBodyToEndAsync(), StatusCode.ResourceExhausted));
        await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(10)));
    }

    // {"groups": ["gw-limit-none"], "name": "x"} followed by spaces, exactly `length` bytes.
    private static byte[] Padded(int length)
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"groups\": [\"gw-limit-none\"], \"name\": \"x\"}");
        byte[] body = new byte[length];
        json.CopyTo(body, 0);
        body.AsSpan(json.Length).Fill((byte)' ');
        return body;
    }

    // The server may close the connection after its answer while the rest is being sent; that ends the sending.
    private static async Task SendUntilRefusedAsync(RawHttpExchange exchange, byte[] body)
    {
        try
        {
            await SendInChunksAsync(exchange, body);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static async Task SendInChunksAsync(RawHttpExchange exchange, byte[] body)
    {
        const int Chunk = 256 * 1024;
        for (int offset = 0; offset < body.Length; offset += Chunk)
        {
            await exchange.SendAsync(body[offset..Math.Min(body.Length, offset + Chunk)]);
        }
    }
}
