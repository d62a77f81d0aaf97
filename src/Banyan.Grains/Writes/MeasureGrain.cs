using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Hosting;
using Banyan.Grains.Queries;
using Banyan.Grains.Schema;
using Banyan.Grains.TopN;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Writes;

/// <summary>
/// Writes of one measure (<see cref="IMeasureGrain"/>, key <c>group/name</c>): a stateless worker, so every silo runs
/// the writes its gRPC host receives locally, against its own schema cache. Reentrant: while one batch waits for its
/// shards' fsync the next one is validated.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class MeasureGrain(
    SchemaCache cache,
    WriteRouting routing,
    Queries.SegmentListings listings,
    IGrainFactory grainFactory,
    ShardWriteCoalescer coalescer,
    [FromKeyedServices(BanyanClock.Key)] TimeProvider clock,
    IOptions<BanyanSiloOptions> options,
    MeasureQueryRunner queries,
    ILogger<MeasureGrain> logger) : Grain, IMeasureGrain
{
    private readonly ShardWriteDispatcher _dispatcher = new(grainFactory, routing, logger, options.Value.Write.ShardWriteCoalescing ? coalescer : null);
    private SubjectLayout? _layout;
    private Measure? _layoutSchema;
    private MeasureV1.DataPointSpec? _layoutSpec;

    /// <inheritdoc/>
    public async Task<WriteOutcome> Write(MeasureWriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        (string group, string name) = SubjectKey.Parse(this.GetPrimaryKeyString());
        if (batch.Metadata.Group != group || batch.Metadata.Name != name)
        {
            throw new ArgumentException($"A batch for '{batch.Metadata.Group}/{batch.Metadata.Name}' reached the measure grain '{group}/{name}'; this is a bug in the caller.", nameof(batch));
        }

        SchemaCatalog catalog = cache.Catalog;
        (SchemaVerdict? verdict, Measure? measure, GroupSettings? settings) = Resolve(catalog, group, name, batch.Metadata.ModRevision);
        if (verdict?.Status == WriteStatus.SchemaNotApplied && catalog.Revision < batch.Metadata.ModRevision)
        {
            catalog = await SubjectWriter.AwaitRevisionAsync(cache, batch.Metadata.ModRevision, options.Value.Write.SchemaApplyWait);
            (verdict, measure, settings) = Resolve(catalog, group, name, batch.Metadata.ModRevision);
        }

        DateTimeOffset now = clock.GetUtcNow();
        SubjectLayout? layout = verdict is null ? LayoutOf(group, measure!, batch.Spec) : null;
        long fallbackVersion = Banyan.GrainInterfaces.Groups.SegmentInfo.UnixNanos(TimeProvider.System.GetUtcNow());
        WritePlan plan = MeasureWritePlanner.Plan(batch, verdict, layout, settings, now, fallbackVersion);
        if (verdict is null)
        {
            await _dispatcher.DispatchAsync(group, settings!, name, plan, now);
        }

        WriteOutcome outcome = plan.ToOutcome();
        WriteMetrics.Record(group, outcome);
        SubjectWriter.LogRefusals(logger, SubjectKey.Of(group, name), outcome);
        return outcome;
    }

    /// <inheritdoc/>
    public async Task<global::Orleans.Concurrency.Immutable<MeasureV1.QueryResponse>> Query(MeasureV1.QueryRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(await queries.QueryAsync(request));
    }

    /// <inheritdoc/>
    public Task<MeasureV1.TopNResponse> TopN(MeasureV1.TopNRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        TopNQueryExecutor executor = new(new TopNFanOut(grainFactory, routing, listings));
        return Telemetry.GrainMetrics.TimeQueryAsync("topn", () => executor.RunAsync(request, cache.Catalog, clock.GetUtcNow()));
    }

    private static (SchemaVerdict? Verdict, Measure? Measure, GroupSettings? Settings) Resolve(SchemaCatalog catalog, string group, string name, long clientRevision)
    {
        if (SubjectWriter.ResolveGroup(catalog, group, Catalog.Measure, out GroupSettings? settings) is { } groupVerdict)
        {
            return (groupVerdict, null, null);
        }

        if (!catalog.TryGetMeasure(group, name, out Measure? measure))
        {
            return (new SchemaVerdict(WriteStatus.NotFound, $"metadata.name: measure '{group}/{name}' does not exist"), null, null);
        }

        return (SchemaVerdict.OfRevision($"measure '{group}/{name}'", clientRevision, measure.Metadata?.ModRevision ?? 0), measure, settings);
    }

    // The layout is rebuilt only when the schema object (a new revision) or the spec changes.
    private SubjectLayout LayoutOf(string group, Measure measure, MeasureV1.DataPointSpec? spec)
    {
        if (_layout is null || !ReferenceEquals(_layoutSchema, measure) || !Equals(_layoutSpec, spec))
        {
            _layout = SubjectLayout.ForMeasure(group, measure, spec);
            _layoutSchema = measure;
            _layoutSpec = spec;
        }

        return _layout;
    }
}
