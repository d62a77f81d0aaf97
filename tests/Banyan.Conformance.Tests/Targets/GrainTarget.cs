using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Conformance.Targets;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Banyan.Silo.Data;
using Banyan.Silo.Grpc;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Grpc.Core;
using Orleans;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamSchema = Banyan.Api.Database.V1.Stream;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests.Targets;

/// <summary>
/// <see cref="IBanyanTarget"/> over Banyan's grain interfaces, called from an Orleans client, doing what the silo's gRPC
/// services do with each call but without gRPC: the registries call the metadata grain (<c>src/Banyan.Silo/Registry</c>),
/// writes go to <see cref="IStreamGrain"/>/<see cref="IMeasureGrain"/> in batches cut as the silo's write pumps cut them
/// (<c>src/Banyan.Silo/Data/*WritePump.cs</c>), queries go to the same grains' <c>Query</c>.
/// </summary>
/// <remarks>
/// Errors surface as the <see cref="RpcException"/> the silo would answer: every exception a grain raises goes through
/// the silo's own table, <see cref="ExceptionStatus.Of"/>, so a <c>wantErr</c> case sees the same failure on both
/// targets. A cancellation of the caller's token stays an <see cref="OperationCanceledException"/> (the harness reads it
/// as "no answer in time"). Differences from the silo, on purpose: batches go one at a time (the silo pipelines up to 16
/// per stream; responses are in request order either way), and a grain call that fails throws here, with its reason,
/// where the silo answers each element of the batch <c>STATUS_INTERNAL_ERROR</c> and keeps the reason in its log.
/// </remarks>
public sealed class GrainTarget(IGrainFactory grains, string name) : IBanyanTarget
{
    // The silo cuts batches at this many messages by default (Silo:WriteBatching:MaxMessages).
    private static readonly int s_maxBatch = new WriteBatchingOptions().MaxMessages;

    /// <inheritdoc/>
    public string Name { get; } = name;

    private IMetadataGrain Catalog => grains.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);

    /// <inheritdoc/>
    public Task CreateGroupAsync(Group group, CancellationToken cancellationToken) => CreateAsync(group, "group", cancellationToken);

    /// <inheritdoc/>
    public Task CreateStreamAsync(StreamSchema stream, CancellationToken cancellationToken) => CreateAsync(stream, "stream", cancellationToken);

    /// <inheritdoc/>
    public Task CreateMeasureAsync(Measure measure, CancellationToken cancellationToken) => CreateAsync(measure, "measure", cancellationToken);

    /// <inheritdoc/>
    public Task CreateIndexRuleAsync(IndexRule indexRule, CancellationToken cancellationToken) => CreateAsync(indexRule, "index_rule", cancellationToken);

    /// <inheritdoc/>
    public Task CreateIndexRuleBindingAsync(IndexRuleBinding indexRuleBinding, CancellationToken cancellationToken) =>
        CreateAsync(indexRuleBinding, "index_rule_binding", cancellationToken);

    /// <inheritdoc/>
    public Task CreateTopNAggregationAsync(TopNAggregation topNAggregation, CancellationToken cancellationToken) =>
        CreateAsync(topNAggregation, "top_n_aggregation", cancellationToken);

    /// <inheritdoc/>
    public async Task<StreamSchema> GetStreamAsync(Metadata metadata, CancellationToken cancellationToken) =>
        (StreamSchema)await CallAsync(() => Catalog.Get(KeyOf(SchemaKind.Stream, metadata)), cancellationToken);

    /// <inheritdoc/>
    public async Task<Measure> GetMeasureAsync(Metadata metadata, CancellationToken cancellationToken) =>
        (Measure)await CallAsync(() => Catalog.Get(KeyOf(SchemaKind.Measure, metadata)), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<StreamV1.WriteResponse>> StreamWriteAsync(IReadOnlyList<StreamV1.WriteRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return WriteAsync(
            requests,
            r => r.Metadata,
            ImmutableArray<StreamV1.TagFamilySpec>.Empty,
            // As upstream, an empty list is "no spec in this message", not "back to schema order".
            (r, current) => r.TagFamilySpec.Count == 0 || r.TagFamilySpec.SequenceEqual(current) ? null : new Box<ImmutableArray<StreamV1.TagFamilySpec>>([.. r.TagFamilySpec]),
            (metadata, spec, batch) => grains.GetGrain<IStreamGrain>(SubjectKey.Of(metadata.Group, metadata.Name)).Write(new StreamWriteBatch(metadata, spec, batch)),
            r => r.MessageId,
            (id, status, metadata) => new StreamV1.WriteResponse { MessageId = id, Status = status, Metadata = metadata },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<MeasureV1.WriteResponse>> MeasureWriteAsync(IReadOnlyList<MeasureV1.WriteRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return WriteAsync(
            requests,
            r => r.Metadata,
            (MeasureV1.DataPointSpec?)null,
            (r, current) => r.DataPointSpec is { } spec && !spec.Equals(current) ? new Box<MeasureV1.DataPointSpec?>(spec) : null,
            (metadata, spec, batch) => grains.GetGrain<IMeasureGrain>(SubjectKey.Of(metadata.Group, metadata.Name)).Write(new MeasureWriteBatch(metadata, spec, batch)),
            r => r.MessageId,
            (id, status, metadata) => new MeasureV1.WriteResponse { MessageId = id, Status = status, Metadata = metadata },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<StreamV1.QueryResponse> StreamQueryAsync(StreamV1.QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(async () => (await grains.GetGrain<IStreamGrain>(QueryKey(request.Groups, request.Name, "stream")).Query(request)).Value, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<MeasureV1.QueryResponse> MeasureQueryAsync(MeasureV1.QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(async () => (await grains.GetGrain<IMeasureGrain>(QueryKey(request.Groups, request.Name, "measure")).Query(request)).Value, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<MeasureV1.TopNResponse> TopNAsync(MeasureV1.TopNRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(() => grains.GetGrain<IMeasureGrain>(QueryKey(request.Groups, request.Name, "TopN aggregation")).TopN(request), cancellationToken);
    }

    private async Task CreateAsync(IMessage? schema, string field, CancellationToken cancellationToken) =>
        await CallAsync(() => Catalog.Create(schema ?? throw new SchemaValidationException(field, "is required")), cancellationToken);

    // The registries' KeyOf (src/Banyan.Silo/Registry/RegistryRequests.cs): absent metadata is INVALID_ARGUMENT.
    private static SchemaKey KeyOf(SchemaKind kind, Metadata? metadata) =>
        metadata is null
            ? throw new SchemaValidationException("metadata", "is required (group and name)")
            : SchemaKey.For(kind, metadata.Group, metadata.Name);

    // The query grain of a request, group/name of its first group (the write grains' key format), after the checks the
    // silo's query services make (src/Banyan.Silo/Data/*QueryService.cs).
    private static string QueryKey(RepeatedField<string> groups, string name, string kind)
    {
        if (groups.Count == 0 || string.IsNullOrEmpty(groups[0]))
        {
            throw new SchemaValidationException("groups", "at least one group is required");
        }

        return string.IsNullOrEmpty(name)
            ? throw new SchemaValidationException("name", $"the {kind} name is required")
            : SubjectKey.Of(groups[0], name);
    }

    // Cuts the requests into batches as WriteStreamPump does (a batch ends where the metadata or the spec changes, or at
    // the silo's batch size; a message without metadata or spec keeps the last one sent) and answers one response per
    // request, in request order, with the status's model.v1.Status name.
    private static async Task<IReadOnlyList<TResponse>> WriteAsync<TRequest, TSpec, TResponse>(
        IReadOnlyList<TRequest> requests,
        Func<TRequest, Metadata?> metadataOf,
        TSpec noSpec,
        Func<TRequest, TSpec, Box<TSpec>?> newSpecOf,
        Func<Metadata, TSpec, ImmutableArray<TRequest>, Task<WriteOutcome>> write,
        Func<TRequest, ulong> messageIdOf,
        Func<ulong, string, Metadata, TResponse> response,
        CancellationToken cancellationToken)
    {
        List<TResponse> responses = new(requests.Count);
        Metadata? metadata = null;
        TSpec spec = noSpec;
        List<TRequest> batch = [];
        foreach (TRequest request in requests)
        {
            Metadata? carried = metadataOf(request);
            if (carried is null && metadata is null)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, WriteStreamPump<TRequest, TResponse, TSpec>.MetadataRequired));
            }

            bool metadataChanged = carried is not null && !carried.Equals(metadata);
            Box<TSpec>? newSpec = newSpecOf(request, spec);
            if ((metadataChanged || newSpec is not null) && batch.Count > 0)
            {
                await FlushAsync();
            }

            metadata = metadataChanged ? carried : metadata;
            spec = newSpec is null ? spec : newSpec.Value;
            batch.Add(request);
            if (batch.Count >= s_maxBatch)
            {
                await FlushAsync();
            }
        }

        if (batch.Count > 0)
        {
            await FlushAsync();
        }

        return responses;

        async Task FlushAsync()
        {
            ImmutableArray<TRequest> sent = [.. batch];
            batch.Clear();
            WriteOutcome outcome = await CallAsync(() => write(metadata!, spec, sent), cancellationToken);
            if (outcome.Statuses.Length != sent.Length)
            {
                throw new InvalidOperationException($"The write grain answered {outcome.Statuses.Length} statuses for a batch of {sent.Length} requests.");
            }

            for (int i = 0; i < sent.Length; i++)
            {
                responses.Add(response(messageIdOf(sent[i]), WriteStatusNames.Of(outcome.Statuses[i]), metadata!));
            }
        }
    }

    // One grain call, bounded by the caller's token (grain calls take none), with the silo's exception → status table.
    private static async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw new RpcException(ExceptionStatus.Of(e, callCancelled: false), e.Message);
        }
    }

    // A spec that may itself be null (measure: "schema order"), told apart from "this message carries no new spec".
    private sealed record Box<T>(T Value);
}
