using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Banyan.Cli.Input;
using Google.Protobuf;

namespace Banyan.Cli.Gateway;

/// <summary>
/// Calls the silo's HTTP gateway (BanyanDB's routes under <c>/api</c>, protojson in and out). An error answer
/// (<c>{"code", "message"}</c>, grpc-gateway's shape) becomes a <see cref="ServerException"/> with the server's message; a
/// server that cannot be reached becomes one line saying so, with the address.
/// </summary>
public sealed class GatewayClient : IDisposable
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json") { CharSet = "utf-8" };
    private readonly HttpClient _http;

    /// <summary>A client of the gateway at <paramref name="address"/> (scheme, host and port, e.g. <c>http://127.0.0.1:17913</c>).</summary>
    /// <exception cref="CliException">The address is not an absolute http(s) URL.</exception>
    public GatewayClient(string address, TimeSpan timeout)
    {
        BaseAddress = ParseAddress(address, "--addr");
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = BaseAddress,
            Timeout = timeout,
        };
    }

    /// <summary>The gateway's address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Parses an address option; a bare <c>host:port</c> gets <c>http://</c>.</summary>
    /// <exception cref="CliException">Not an absolute http(s) URL.</exception>
    public static Uri ParseAddress(string address, string option)
    {
        ArgumentNullException.ThrowIfNull(address);
        string text = address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"{option} '{address}' is not an address such as http://127.0.0.1:17913");
        }

        return uri;
    }

    /// <summary>Sends <paramref name="body"/> (or nothing) to <paramref name="path"/> and parses a 200 answer as <typeparamref name="T"/>.</summary>
    /// <exception cref="ServerException">The server answered an error.</exception>
    /// <exception cref="CliException">The server could not be reached or did not answer in time.</exception>
    public async Task<T> CallAsync<T>(HttpMethod method, string path, IMessage? body, CancellationToken cancellation)
        where T : IMessage<T>, new()
    {
        string json = await SendAsync(method, path, body is null ? null : ProtoJson.Format(body), cancellation);
        return ProtoJson.ParseAnswer<T>(json);
    }

    /// <summary>Sends a request and answers the body of a 200 answer.</summary>
    /// <exception cref="ServerException">The server answered an error.</exception>
    /// <exception cref="CliException">The server could not be reached or did not answer in time.</exception>
    public async Task<string> SendAsync(HttpMethod method, string path, string? jsonBody, CancellationToken cancellation)
    {
        (HttpStatusCode status, string text) = await SendRawAsync(method, path, jsonBody, cancellation);
        return status == HttpStatusCode.OK ? text : throw ErrorOf(status, text);
    }

    /// <summary>Sends a request and answers its status and body, whatever the status.</summary>
    /// <exception cref="CliException">The server could not be reached or did not answer in time.</exception>
    public async Task<(HttpStatusCode Status, string Body)> SendRawAsync(HttpMethod method, string path, string? jsonBody, CancellationToken cancellation)
    {
        using HttpRequestMessage request = new(method, path.TrimStart('/'));
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8);
            request.Content.Headers.ContentType = s_json;
        }

        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, cancellation);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellation));
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(BaseAddress, "--addr", e);
        }
        catch (TaskCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new CliException($"the server at {BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s (--timeout)", ExitCodes.Unreachable, e);
        }
    }

    /// <summary>The error for a server that could not be reached, one line with the address and the reason.</summary>
    public static CliException Unreachable(Uri address, string option, Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string reason = e.InnerException is SocketException socket ? socket.Message : e.Message;
        return new CliException(
            $"cannot reach the Banyan server at {address.GetLeftPart(UriPartial.Authority)}: {reason.TrimEnd('.')} (is the silo running? {option} sets the address)",
            ExitCodes.Unreachable,
            e);
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    // grpc-gateway's error body {"code": n, "message": "..."}; anything else is shown with its HTTP status.
    private static ServerException ErrorOf(HttpStatusCode status, string body)
    {
        try
        {
            using JsonDocument json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("code", out JsonElement code) && code.TryGetInt32(out int n)
                && json.RootElement.TryGetProperty("message", out JsonElement message))
            {
                return new ServerException(StatusNames.Of(n), message.GetString() ?? string.Empty);
            }
        }
        catch (JsonException)
        {
            // Not grpc-gateway's body: fall through to the HTTP status.
        }

        string shown = body.Length > 200 ? body[..200] + "…" : body;
        return new ServerException($"HTTP {(int)status}", string.IsNullOrWhiteSpace(shown) ? status.ToString() : shown.Trim());
    }
}
