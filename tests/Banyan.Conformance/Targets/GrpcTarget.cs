using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Grpc.Core;
using Grpc.Net.Client;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Targets;

/// <summary>
/// <see cref="IBanyanTarget"/> over BanyanDB's gRPC API with the generated Banyan.Api clients on a
/// <see cref="GrpcChannel"/> (Grpc.Net.Client). The channel is the caller's: this class does not dispose it.
/// </summary>
public sealed class GrpcTarget : IBanyanTarget
{
    private readonly GroupRegistryService.GroupRegistryServiceClient _groups;
    private readonly StreamRegistryService.StreamRegistryServiceClient _streams;
    private readonly MeasureRegistryService.MeasureRegistryServiceClient _measures;
    private readonly IndexRuleRegistryService.IndexRuleRegistryServiceClient _indexRules;
    private readonly IndexRuleBindingRegistryService.IndexRuleBindingRegistryServiceClient _bindings;
    private readonly TopNAggregationRegistryService.TopNAggregationRegistryServiceClient _topNAggregations;
    private readonly StreamV1.StreamService.StreamServiceClient _streamService;
    private readonly MeasureV1.MeasureService.MeasureServiceClient _measureService;

    /// <summary>A target calling the services on <paramref name="channel"/>; <paramref name="name"/> names it in reports.</summary>
    public GrpcTarget(GrpcChannel channel, string name = "grpc")
    {
        ArgumentNullException.ThrowIfNull(channel);
        Name = name;
        _groups = new GroupRegistryService.GroupRegistryServiceClient(channel);
        _streams = new StreamRegistryService.StreamRegistryServiceClient(channel);
        _measures = new MeasureRegistryService.MeasureRegistryServiceClient(channel);
        _indexRules = new IndexRuleRegistryService.IndexRuleRegistryServiceClient(channel);
        _bindings = new IndexRuleBindingRegistryService.IndexRuleBindingRegistryServiceClient(channel);
        _topNAggregations = new TopNAggregationRegistryService.TopNAggregationRegistryServiceClient(channel);
        _streamService = new StreamV1.StreamService.StreamServiceClient(channel);
        _measureService = new MeasureV1.MeasureService.MeasureServiceClient(channel);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public async Task CreateGroupAsync(Group group, CancellationToken cancellationToken) =>
        await _groups.CreateAsync(new GroupRegistryServiceCreateRequest { Group = group }, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task CreateStreamAsync(Banyan.Api.Database.V1.Stream stream, CancellationToken cancellationToken) =>
        await _streams.CreateAsync(new StreamRegistryServiceCreateRequest { Stream = stream }, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task CreateMeasureAsync(Measure measure, CancellationToken cancellationToken) =>
        await _measures.CreateAsync(new MeasureRegistryServiceCreateRequest { Measure = measure }, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task CreateIndexRuleAsync(IndexRule indexRule, CancellationToken cancellationToken) =>
        await _indexRules.CreateAsync(new IndexRuleRegistryServiceCreateRequest { IndexRule = indexRule }, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task CreateIndexRuleBindingAsync(IndexRuleBinding indexRuleBinding, CancellationToken cancellationToken) =>
        await _bindings.CreateAsync(new IndexRuleBindingRegistryServiceCreateRequest { IndexRuleBinding = indexRuleBinding }, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task CreateTopNAggregationAsync(TopNAggregation topNAggregation, CancellationToken cancellationToken) =>
        await _topNAggregations.CreateAsync(new TopNAggregationRegistryServiceCreateRequest { TopNAggregation = topNAggregation }, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task<Banyan.Api.Database.V1.Stream> GetStreamAsync(Metadata metadata, CancellationToken cancellationToken) =>
        (await _streams.GetAsync(new StreamRegistryServiceGetRequest { Metadata = metadata }, cancellationToken: cancellationToken)).Stream
        ?? throw new InvalidOperationException($"StreamRegistryService/Get answered no stream for {metadata.Group}/{metadata.Name}.");

    /// <inheritdoc/>
    public async Task<Measure> GetMeasureAsync(Metadata metadata, CancellationToken cancellationToken) =>
        (await _measures.GetAsync(new MeasureRegistryServiceGetRequest { Metadata = metadata }, cancellationToken: cancellationToken)).Measure
        ?? throw new InvalidOperationException($"MeasureRegistryService/Get answered no measure for {metadata.Group}/{metadata.Name}.");

    /// <inheritdoc/>
    public Task<IReadOnlyList<StreamV1.WriteResponse>> StreamWriteAsync(IReadOnlyList<StreamV1.WriteRequest> requests, CancellationToken cancellationToken) =>
        ExchangeAsync(_streamService.Write(cancellationToken: cancellationToken), requests, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<MeasureV1.WriteResponse>> MeasureWriteAsync(IReadOnlyList<MeasureV1.WriteRequest> requests, CancellationToken cancellationToken) =>
        ExchangeAsync(_measureService.Write(cancellationToken: cancellationToken), requests, cancellationToken);

    /// <inheritdoc/>
    public async Task<StreamV1.QueryResponse> StreamQueryAsync(StreamV1.QueryRequest request, CancellationToken cancellationToken) =>
        await _streamService.QueryAsync(request, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task<MeasureV1.QueryResponse> MeasureQueryAsync(MeasureV1.QueryRequest request, CancellationToken cancellationToken) =>
        await _measureService.QueryAsync(request, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task<MeasureV1.TopNResponse> TopNAsync(MeasureV1.TopNRequest request, CancellationToken cancellationToken) =>
        await _measureService.TopNAsync(request, cancellationToken: cancellationToken);

    // Reads concurrently with sending: BanyanDB may answer (e.g. refuse a request) before the send side completes, and
    // an unread response stream could otherwise stall the exchange on flow control.
    private static async Task<IReadOnlyList<TResponse>> ExchangeAsync<TRequest, TResponse>(
        AsyncDuplexStreamingCall<TRequest, TResponse> call, IReadOnlyList<TRequest> requests, CancellationToken cancellationToken)
    {
        using (call)
        {
            Task<List<TResponse>> reading = ReadAllAsync(call.ResponseStream, cancellationToken);
            Exception? sendFailure = null;
            try
            {
                foreach (TRequest request in requests)
                {
                    await call.RequestStream.WriteAsync(request, cancellationToken);
                }

                await call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException)
            {
                // The server ended the call while requests were still being sent; its status (awaited below) says why.
                sendFailure = e;
            }

            // Throws the server's status when it ended the call with an error.
            List<TResponse> received = await reading;
            if (sendFailure is not null)
            {
                throw new InvalidOperationException(
                    $"The server ended the write stream with OK after {received.Count} responses while requests were still being sent.",
                    sendFailure);
            }

            return received;
        }
    }

    private static async Task<List<TResponse>> ReadAllAsync<TResponse>(IAsyncStreamReader<TResponse> responses, CancellationToken cancellationToken)
    {
        List<TResponse> received = [];
        while (await responses.MoveNext(cancellationToken))
        {
            received.Add(responses.Current);
        }

        return received;
    }
}
