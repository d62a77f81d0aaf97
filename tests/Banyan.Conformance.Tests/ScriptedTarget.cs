using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Conformance.Targets;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests;

/// <summary>
/// A test double for the case runner: answers the n-th query with <see cref="Answer"/>(n) (1-based), which returns a
/// response, throws, or waits for cancellation. Records the requests it saw.
/// </summary>
internal sealed class ScriptedTarget : IBanyanTarget
{
    public string Name => "scripted";

    public Func<int, CancellationToken, Task<Google.Protobuf.IMessage>> Answer { get; set; } =
        (_, _) => throw new InvalidOperationException("no answer scripted");

    public List<Google.Protobuf.IMessage> Queries { get; } = [];

    public async Task<StreamV1.QueryResponse> StreamQueryAsync(StreamV1.QueryRequest request, CancellationToken cancellationToken) =>
        (StreamV1.QueryResponse)await Next(request, cancellationToken);

    public async Task<MeasureV1.QueryResponse> MeasureQueryAsync(MeasureV1.QueryRequest request, CancellationToken cancellationToken) =>
        (MeasureV1.QueryResponse)await Next(request, cancellationToken);

    public async Task<MeasureV1.TopNResponse> TopNAsync(MeasureV1.TopNRequest request, CancellationToken cancellationToken) =>
        (MeasureV1.TopNResponse)await Next(request, cancellationToken);

    public Task CreateGroupAsync(Group group, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task CreateStreamAsync(Banyan.Api.Database.V1.Stream stream, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task CreateMeasureAsync(Measure measure, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task CreateIndexRuleAsync(IndexRule indexRule, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task CreateIndexRuleBindingAsync(IndexRuleBinding indexRuleBinding, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task CreateTopNAggregationAsync(TopNAggregation topNAggregation, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Banyan.Api.Database.V1.Stream> GetStreamAsync(Metadata metadata, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Measure> GetMeasureAsync(Metadata metadata, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<StreamV1.WriteResponse>> StreamWriteAsync(IReadOnlyList<StreamV1.WriteRequest> requests, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<MeasureV1.WriteResponse>> MeasureWriteAsync(IReadOnlyList<MeasureV1.WriteRequest> requests, CancellationToken cancellationToken) => throw new NotSupportedException();

    private Task<Google.Protobuf.IMessage> Next(Google.Protobuf.IMessage request, CancellationToken cancellationToken)
    {
        Queries.Add(request);
        return Answer(Queries.Count, cancellationToken);
    }
}
