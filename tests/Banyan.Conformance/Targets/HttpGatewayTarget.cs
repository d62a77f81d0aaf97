using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Google.Protobuf;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Targets;

/// <summary>
/// <see cref="IBanyanTarget"/> over a silo's HTTP gateway: BanyanDB's grpc-gateway routes under <c>/api</c> with JSON in
/// and out (the requests in protobuf JSON, the answers parsed strictly, so a field the gateway writes that the message
/// lacks fails the call), and the writes as newline-delimited JSON (<c>POST /api/v1/{stream,measure}/write</c>, one
/// request per line, one answer per line). The client is the caller's: this class does not dispose it.
/// </summary>
/// <remarks>
/// An error answer (<c>{"code", "message", "details"}</c>) is thrown as the <see cref="RpcException"/> of its gRPC code and
/// message, so the harness sees what it sees over gRPC. An error line among the write answers (the gateway could not
/// read a request line the harness wrote) throws as well: the gRPC endpoint takes every such request.
/// </remarks>
public sealed class HttpGatewayTarget : IBanyanTarget
{
    private const string Api = "/api/v1";
    private readonly HttpClient _http;

    /// <summary>A target calling the gateway at <paramref name="http"/>'s base address; <paramref name="name"/> names it in reports.</summary>
    public HttpGatewayTarget(HttpClient http, string name = "http")
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The client needs the gateway's base address, e.g. http://127.0.0.1:17913.", nameof(http));
        }

        _http = http;
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Task CreateGroupAsync(Group group, CancellationToken cancellationToken) =>
        PostAsync<GroupRegistryServiceCreateResponse>($"{Api}/group/schema", new GroupRegistryServiceCreateRequest { Group = group }, cancellationToken);

    /// <inheritdoc/>
    public Task CreateStreamAsync(Banyan.Api.Database.V1.Stream stream, CancellationToken cancellationToken) =>
        PostAsync<StreamRegistryServiceCreateResponse>($"{Api}/stream/schema", new StreamRegistryServiceCreateRequest { Stream = stream }, cancellationToken);

    /// <inheritdoc/>
    public Task CreateMeasureAsync(Measure measure, CancellationToken cancellationToken) =>
        PostAsync<MeasureRegistryServiceCreateResponse>($"{Api}/measure/schema", new MeasureRegistryServiceCreateRequest { Measure = measure }, cancellationToken);

    /// <inheritdoc/>
    public Task CreateIndexRuleAsync(IndexRule indexRule, CancellationToken cancellationToken) =>
        PostAsync<IndexRuleRegistryServiceCreateResponse>($"{Api}/index-rule/schema", new IndexRuleRegistryServiceCreateRequest { IndexRule = indexRule }, cancellationToken);

    /// <inheritdoc/>
    public Task CreateIndexRuleBindingAsync(IndexRuleBinding indexRuleBinding, CancellationToken cancellationToken) =>
        PostAsync<IndexRuleBindingRegistryServiceCreateResponse>($"{Api}/index-rule-binding/schema", new IndexRuleBindingRegistryServiceCreateRequest { IndexRuleBinding = indexRuleBinding }, cancellationToken);

    /// <inheritdoc/>
    public Task CreateTopNAggregationAsync(TopNAggregation topNAggregation, CancellationToken cancellationToken) =>
        PostAsync<TopNAggregationRegistryServiceCreateResponse>($"{Api}/topn-agg/schema", new TopNAggregationRegistryServiceCreateRequest { TopNAggregation = topNAggregation }, cancellationToken);

    /// <inheritdoc/>
    public async Task<Banyan.Api.Database.V1.Stream> GetStreamAsync(Metadata metadata, CancellationToken cancellationToken) =>
        (await SendAsync<StreamRegistryServiceGetResponse>(HttpMethod.Get, $"{Api}/stream/schema/{Segment(metadata.Group)}/{Segment(metadata.Name)}", null, cancellationToken)).Stream
        ?? throw new InvalidOperationException($"GET stream schema answered no stream for {metadata.Group}/{metadata.Name}.");

    /// <inheritdoc/>
    public async Task<Measure> GetMeasureAsync(Metadata metadata, CancellationToken cancellationToken) =>
        (await SendAsync<MeasureRegistryServiceGetResponse>(HttpMethod.Get, $"{Api}/measure/schema/{Segment(metadata.Group)}/{Segment(metadata.Name)}", null, cancellationToken)).Measure
        ?? throw new InvalidOperationException($"GET measure schema answered no measure for {metadata.Group}/{metadata.Name}.");

    /// <inheritdoc/>
    public Task<IReadOnlyList<StreamV1.WriteResponse>> StreamWriteAsync(IReadOnlyList<StreamV1.WriteRequest> requests, CancellationToken cancellationToken) =>
        WriteAsync<StreamV1.WriteRequest, StreamV1.WriteResponse>($"{Api}/stream/write", requests, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<MeasureV1.WriteResponse>> MeasureWriteAsync(IReadOnlyList<MeasureV1.WriteRequest> requests, CancellationToken cancellationToken) =>
        WriteAsync<MeasureV1.WriteRequest, MeasureV1.WriteResponse>($"{Api}/measure/write", requests, cancellationToken);

    /// <inheritdoc/>
    public Task<StreamV1.QueryResponse> StreamQueryAsync(StreamV1.QueryRequest request, CancellationToken cancellationToken) =>
        PostAsync<StreamV1.QueryResponse>($"{Api}/stream/data", request, cancellationToken);

    /// <inheritdoc/>
    public Task<MeasureV1.QueryResponse> MeasureQueryAsync(MeasureV1.QueryRequest request, CancellationToken cancellationToken) =>
        PostAsync<MeasureV1.QueryResponse>($"{Api}/measure/data", request, cancellationToken);

    /// <inheritdoc/>
    public Task<MeasureV1.TopNResponse> TopNAsync(MeasureV1.TopNRequest request, CancellationToken cancellationToken) =>
        PostAsync<MeasureV1.TopNResponse>($"{Api}/measure/topn", request, cancellationToken);

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private Task<TResponse> PostAsync<TResponse>(string path, IMessage request, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>, new()
        => SendAsync<TResponse>(HttpMethod.Post, path, JsonFormatter.Default.Format(request), cancellationToken);

    private async Task<TResponse> SendAsync<TResponse>(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>, new()
    {
        using HttpRequestMessage message = new(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            message.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await _http.SendAsync(message, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ErrorOf(body, $"{method} {path} answered HTTP {(int)response.StatusCode}");
        }

        return JsonParser.Default.Parse<TResponse>(body);
    }

    private async Task<IReadOnlyList<TResponse>> WriteAsync<TRequest, TResponse>(string path, IReadOnlyList<TRequest> requests, CancellationToken cancellationToken)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>, new()
    {
        StringBuilder lines = new();
        foreach (TRequest request in requests)
        {
            lines.Append(JsonFormatter.Default.Format(request)).Append('\n');
        }

        using HttpRequestMessage message = new(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(lines.ToString(), Encoding.UTF8, new MediaTypeHeaderValue("application/x-ndjson")),
        };
        using HttpResponseMessage response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ErrorOf(await response.Content.ReadAsStringAsync(cancellationToken), $"POST {path} answered HTTP {(int)response.StatusCode}");
        }

        List<TResponse> received = [];
        using StreamReader answer = new(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        while (await answer.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using (JsonDocument document = JsonDocument.Parse(line))
            {
                if (document.RootElement.TryGetProperty("code", out _))
                {
                    throw ErrorOf(line, $"POST {path}: answer line {received.Count + 1} is an error");
                }
            }

            received.Add(JsonParser.Default.Parse<TResponse>(line));
        }

        return received;
    }

    // grpc-gateway's error body as the RpcException the gRPC endpoint raises; anything else as what it is.
    private static Exception ErrorOf(string body, string context)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("code", out JsonElement code) && code.TryGetInt32(out int value)
                && root.TryGetProperty("message", out JsonElement text) && text.ValueKind == JsonValueKind.String)
            {
                return new RpcException(new Status((StatusCode)value, text.GetString()!), $"{context}: {text.GetString()}");
            }
        }
        catch (JsonException)
        {
            // Not JSON: reported as it is below.
        }

        return new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{context} that is not a gateway error body: {body}"));
    }
}
