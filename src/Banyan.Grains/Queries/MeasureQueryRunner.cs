using Banyan.Grains.Hosting;
using Banyan.Grains.Schema;
using Banyan.Grains.Writes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Queries;

/// <summary>
/// Runs BanyanDB's measure query on this silo against its schema cache (<see cref="MeasureQueryExecutor"/>): what the
/// measure grain's <c>Query</c> does, callable without the grain call. The silo's gRPC service calls it directly: the
/// measure grain is a stateless worker, so the call only ever stayed on this silo, and its two hops through the Orleans
/// scheduler (in and back) cost about 0.15 ms of a 3 ms query of 360 points and Orleans messaging CPU for each of the
/// 24 requests of a bucketed aggregation. Shards open on this silo are read directly too (<see cref="Shards.LocalShards"/>);
/// the group grain and the other shards are called as grains.
/// </summary>
public sealed class MeasureQueryRunner(
    SchemaCache cache,
    WriteRouting routing,
    SegmentListings listings,
    Shards.LocalShards localShards,
    IGrainFactory grains,
    [FromKeyedServices(BanyanClock.Key)] TimeProvider clock,
    IOptions<BanyanSiloOptions> options)
{
    /// <summary>
    /// Answers <paramref name="request"/>; errors as the measure grain's <c>Query</c> raises them. With
    /// <paramref name="pointsAsBytes"/>, a page of raw points comes as rows attached to the answer
    /// (<see cref="MeasurePointRows.TryTakeFrom"/>), for a caller that writes the answer's bytes from them.
    /// </summary>
    public Task<MeasureV1.QueryResponse> QueryAsync(MeasureV1.QueryRequest request, bool pointsAsBytes = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        MeasureQueryExecutor executor = new(new QueryFanOut(grains, routing, listings, options.Value.Query.LocalShardReads ? localShards : null), options.Value.Query);
        return Telemetry.GrainMetrics.TimeQueryAsync("measure", () => QueryRevisionGate.RunAsync(
            cache, GrainInterfaces.Schema.SchemaKind.Measure, request, options.Value.Query.SchemaApplyWait, (gated, catalog) => executor.RunAsync(gated, catalog, clock.GetUtcNow(), pointsAsBytes)));
    }
}
