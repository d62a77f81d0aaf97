using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;

namespace Banyan.Silo.Tests.Gateway;

/// <summary>HTTP calls to a silo's gateway (HTTP/1.1 on loopback, bounded), answers kept as text.</summary>
public sealed class GatewayHttp(int port) : IDisposable
{
    /// <summary>Google.Protobuf's JSON with proto field names (<c>tag_families</c>), the other style a client may send.</summary>
    public static readonly JsonFormatter ProtoNames = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    private readonly HttpClient _client = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The gateway's base address.</summary>
    public Uri BaseAddress => _client.BaseAddress!;

    /// <summary>GET.</summary>
    public Task<GatewayAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    /// <summary>DELETE.</summary>
    public Task<GatewayAnswer> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    /// <summary>POST of a JSON text.</summary>
    public Task<GatewayAnswer> PostAsync(string path, string json) => SendAsync(HttpMethod.Post, path, json);

    /// <summary>POST of a message in lowerCamelCase JSON.</summary>
    public Task<GatewayAnswer> PostAsync(string path, IMessage message) => SendAsync(HttpMethod.Post, path, JsonFormatter.Default.Format(message));

    /// <summary>PUT of a message in lowerCamelCase JSON.</summary>
    public Task<GatewayAnswer> PutAsync(string path, IMessage message) => SendAsync(HttpMethod.Put, path, JsonFormatter.Default.Format(message));

    /// <summary>Any method, with a JSON body or none.</summary>
    public async Task<GatewayAnswer> SendAsync(HttpMethod method, string path, string? json)
    {
        using HttpRequestMessage request = new(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await SendAsync(request);
    }

    /// <summary>Sends <paramref name="request"/> and reads the whole answer.</summary>
    public async Task<GatewayAnswer> SendAsync(HttpRequestMessage request)
    {
        using HttpResponseMessage response = await _client.SendAsync(request);
        return new GatewayAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>POST of newline-delimited JSON to a write route; the answer's lines.</summary>
    public async Task<(GatewayAnswer Answer, List<string> Lines)> WriteAsync(string path, IEnumerable<string> lines)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(string.Join("\n", lines) + "\n", Encoding.UTF8, new MediaTypeHeaderValue("application/x-ndjson")),
        };
        GatewayAnswer answer = await SendAsync(request);
        return (answer, [.. answer.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries)]);
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();
}

/// <summary>One HTTP answer.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="MediaType">The Content-Type's media type.</param>
/// <param name="Body">The body as text.</param>
public sealed record GatewayAnswer(HttpStatusCode Status, string? MediaType, string Body)
{
    /// <summary>Parses the body strictly (unknown fields fail): the gateway writes only the message's own fields.</summary>
    public T As<T>()
        where T : IMessage<T>, new()
    {
        Assert.True(Status == HttpStatusCode.OK, $"HTTP {(int)Status}: {Body}");
        Assert.Equal("application/json", MediaType);
        return JsonParser.Default.Parse<T>(Body);
    }

    /// <summary>The body as a JSON document.</summary>
    public JsonElement Json()
    {
        using JsonDocument document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }

    /// <summary>Checks the answer is grpc-gateway's error body for <paramref name="code"/> with <paramref name="httpStatus"/>; returns the message.</summary>
    public string AssertError(HttpStatusCode httpStatus, StatusCode code)
    {
        Assert.True(Status == httpStatus, $"expected HTTP {(int)httpStatus}, got {(int)Status}: {Body}");
        Assert.Equal("application/json", MediaType);
        return AssertErrorBody(Body, code);
    }

    /// <summary>Checks <paramref name="json"/> is exactly <c>{"code": code, "message": "...", "details": []}</c>; returns the message.</summary>
    public static string AssertErrorBody(string json, StatusCode code)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        Assert.Equal(["code", "message", "details"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal((int)code, root.GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("details").ValueKind);
        Assert.Equal(0, root.GetProperty("details").GetArrayLength());
        return root.GetProperty("message").GetString()!;
    }
}
