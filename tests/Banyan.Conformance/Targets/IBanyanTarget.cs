using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Targets;

/// <summary>
/// What the conformance harness needs from a Banyan server: BanyanDB's schema registries, bidi writes and queries,
/// with BanyanDB's protobuf messages in and out. Implemented over gRPC by <see cref="GrpcTarget"/>; a grain-interface
/// implementation (TestCluster) plugs in the same way.
/// </summary>
/// <remarks>
/// Error contract: an operation the server refuses throws (gRPC: <see cref="Grpc.Core.RpcException"/>; grains: the
/// exception the grain call raises). The harness treats any exception from a query as "the request failed"
/// (upstream <c>wantErr</c>), except a cancellation of the token it passed (then the server did not answer in time).
/// Implementations must not retry, drop, reorder or synthesize responses: the harness checks them.
/// </remarks>
public interface IBanyanTarget
{
    /// <summary>A short name for reports and file names, e.g. <c>grpc</c> or <c>grains</c>.</summary>
    string Name { get; }

    /// <summary><c>GroupRegistryService/Create</c>.</summary>
    Task CreateGroupAsync(Group group, CancellationToken cancellationToken);

    /// <summary><c>StreamRegistryService/Create</c>.</summary>
    Task CreateStreamAsync(Banyan.Api.Database.V1.Stream stream, CancellationToken cancellationToken);

    /// <summary><c>MeasureRegistryService/Create</c>.</summary>
    Task CreateMeasureAsync(Measure measure, CancellationToken cancellationToken);

    /// <summary><c>IndexRuleRegistryService/Create</c>.</summary>
    Task CreateIndexRuleAsync(IndexRule indexRule, CancellationToken cancellationToken);

    /// <summary><c>IndexRuleBindingRegistryService/Create</c>.</summary>
    Task CreateIndexRuleBindingAsync(IndexRuleBinding indexRuleBinding, CancellationToken cancellationToken);

    /// <summary><c>TopNAggregationRegistryService/Create</c>.</summary>
    Task CreateTopNAggregationAsync(TopNAggregation topNAggregation, CancellationToken cancellationToken);

    /// <summary><c>StreamRegistryService/Get</c>: the stored stream schema (the seeder sends its metadata, as upstream does).</summary>
    Task<Banyan.Api.Database.V1.Stream> GetStreamAsync(Metadata metadata, CancellationToken cancellationToken);

    /// <summary><c>MeasureRegistryService/Get</c>: the stored measure schema.</summary>
    Task<Measure> GetMeasureAsync(Metadata metadata, CancellationToken cancellationToken);

    /// <summary>
    /// <c>StreamService/Write</c> as one bidi exchange: sends <paramref name="requests"/> in order, completes the send
    /// side, reads until the server ends the stream and returns every response received, in arrival order (BanyanDB
    /// answers exactly one <c>WriteResponse</c> per request, not necessarily in request order).
    /// </summary>
    Task<IReadOnlyList<StreamV1.WriteResponse>> StreamWriteAsync(IReadOnlyList<StreamV1.WriteRequest> requests, CancellationToken cancellationToken);

    /// <summary><c>MeasureService/Write</c> as one bidi exchange (see <see cref="StreamWriteAsync"/>).</summary>
    Task<IReadOnlyList<MeasureV1.WriteResponse>> MeasureWriteAsync(IReadOnlyList<MeasureV1.WriteRequest> requests, CancellationToken cancellationToken);

    /// <summary><c>StreamService/Query</c>.</summary>
    Task<StreamV1.QueryResponse> StreamQueryAsync(StreamV1.QueryRequest request, CancellationToken cancellationToken);

    /// <summary><c>MeasureService/Query</c>.</summary>
    Task<MeasureV1.QueryResponse> MeasureQueryAsync(MeasureV1.QueryRequest request, CancellationToken cancellationToken);

    /// <summary><c>MeasureService/TopN</c>.</summary>
    Task<MeasureV1.TopNResponse> TopNAsync(MeasureV1.TopNRequest request, CancellationToken cancellationToken);
}
