using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Conformance.Targets;
using Google.Protobuf;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests;

/// <summary>
/// A test double for seeding: records every create and write in order, answers <c>Get</c> with the created schema
/// (plus a mod revision, as a registry does), and answers writes with <see cref="Answer"/> (by default one
/// <c>STATUS_SUCCEED</c> per request, in reverse order, as BanyanDB's liaison may). Queries are not supported.
/// </summary>
internal sealed class RecordingTarget : IBanyanTarget
{
    private readonly Dictionary<(string, string), IMessage> _schemas = [];

    public string Name => "recording";

    /// <summary>Every call as "Create Group default", "Get stream default/sw", "Write stream 5", in order.</summary>
    public List<string> Calls { get; } = [];

    public List<StreamV1.WriteRequest> StreamWrites { get; } = [];

    public List<MeasureV1.WriteRequest> MeasureWrites { get; } = [];

    /// <summary>Maps the requests of one write stream (message ids) to (message id, status) responses.</summary>
    public Func<IReadOnlyList<ulong>, IReadOnlyList<(ulong MessageId, string Status)>> Answer { get; set; } =
        ids => [.. ids.Reverse().Select(id => (id, "STATUS_SUCCEED"))];

    /// <summary>When set, creating a schema whose name equals it fails.</summary>
    public string? FailCreateOf { get; set; }

    public Task CreateGroupAsync(Group group, CancellationToken cancellationToken) => Create("Group", group.Metadata, group);

    public Task CreateStreamAsync(Banyan.Api.Database.V1.Stream stream, CancellationToken cancellationToken) => Create("Stream", stream.Metadata, stream);

    public Task CreateMeasureAsync(Measure measure, CancellationToken cancellationToken) => Create("Measure", measure.Metadata, measure);

    public Task CreateIndexRuleAsync(IndexRule indexRule, CancellationToken cancellationToken) => Create("IndexRule", indexRule.Metadata, indexRule);

    public Task CreateIndexRuleBindingAsync(IndexRuleBinding indexRuleBinding, CancellationToken cancellationToken) => Create("IndexRuleBinding", indexRuleBinding.Metadata, indexRuleBinding);

    public Task CreateTopNAggregationAsync(TopNAggregation topNAggregation, CancellationToken cancellationToken) => Create("TopNAggregation", topNAggregation.Metadata, topNAggregation);

    public Task<Banyan.Api.Database.V1.Stream> GetStreamAsync(Metadata metadata, CancellationToken cancellationToken)
    {
        Calls.Add($"Get stream {metadata.Group}/{metadata.Name}");
        return Task.FromResult((Banyan.Api.Database.V1.Stream)_schemas[("Stream", $"{metadata.Group}/{metadata.Name}")]);
    }

    public Task<Measure> GetMeasureAsync(Metadata metadata, CancellationToken cancellationToken)
    {
        Calls.Add($"Get measure {metadata.Group}/{metadata.Name}");
        return Task.FromResult((Measure)_schemas[("Measure", $"{metadata.Group}/{metadata.Name}")]);
    }

    public Task<IReadOnlyList<StreamV1.WriteResponse>> StreamWriteAsync(IReadOnlyList<StreamV1.WriteRequest> requests, CancellationToken cancellationToken)
    {
        Calls.Add($"Write stream {requests.Count}");
        StreamWrites.AddRange(requests);
        return Task.FromResult<IReadOnlyList<StreamV1.WriteResponse>>(
            [.. Answer([.. requests.Select(r => r.MessageId)]).Select(a => new StreamV1.WriteResponse { MessageId = a.MessageId, Status = a.Status })]);
    }

    public Task<IReadOnlyList<MeasureV1.WriteResponse>> MeasureWriteAsync(IReadOnlyList<MeasureV1.WriteRequest> requests, CancellationToken cancellationToken)
    {
        Calls.Add($"Write measure {requests.Count}");
        MeasureWrites.AddRange(requests);
        return Task.FromResult<IReadOnlyList<MeasureV1.WriteResponse>>(
            [.. Answer([.. requests.Select(r => r.MessageId)]).Select(a => new MeasureV1.WriteResponse { MessageId = a.MessageId, Status = a.Status })]);
    }

    public Task<StreamV1.QueryResponse> StreamQueryAsync(StreamV1.QueryRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The recording target answers no query.");

    public Task<MeasureV1.QueryResponse> MeasureQueryAsync(MeasureV1.QueryRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The recording target answers no query.");

    public Task<MeasureV1.TopNResponse> TopNAsync(MeasureV1.TopNRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The recording target answers no query.");

    private Task Create(string kind, Metadata metadata, IMessage schema)
    {
        string key = string.IsNullOrEmpty(metadata.Group) ? metadata.Name : $"{metadata.Group}/{metadata.Name}";
        Calls.Add($"Create {kind} {key}");
        if (metadata.Name == FailCreateOf)
        {
            throw new InvalidOperationException($"INVALID_ARGUMENT: {kind} {key} refused by the test");
        }

        IMessage stored = schema.Descriptor.Parser.ParseFrom(schema.ToByteString());
        ((Metadata)stored.Descriptor.FindFieldByName("metadata").Accessor.GetValue(stored)).ModRevision = _schemas.Count + 1;
        _schemas[(kind, key)] = stored;
        return Task.CompletedTask;
    }
}
