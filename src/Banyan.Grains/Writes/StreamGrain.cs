using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Hosting;
using Banyan.Grains.Queries;
using Banyan.Grains.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using StreamSchema = Banyan.Api.Database.V1.Stream;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Grains.Writes;

/// <summary>
/// Writes of one stream (<see cref="IStreamGrain"/>, key <c>group/name</c>): a stateless worker, so every silo runs the
/// writes its gRPC host receives locally, against its own schema cache. Reentrant: while one batch waits for its shards'
/// fsync the next one is validated.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class StreamGrain(
    SchemaCache cache,
    WriteRouting routing,
    Queries.SegmentListings listings,
    Shards.LocalShards localShards,
    IGrainFactory grainFactory,
    ShardWriteCoalescer coalescer,
    [FromKeyedServices(BanyanClock.Key)] TimeProvider clock,
    IOptions<BanyanSiloOptions> options,
    ILogger<StreamGrain> logger) : Grain, IStreamGrain
{
    // Ids for elements written without one: unique on this silo (a counter) and across silos (a random start), as
    // BanyanDB's id generator makes them; 2^64 values make a clash with a hashed id negligible.
    private static long s_nextGeneratedId = Random.Shared.NextInt64();

    private readonly ShardWriteDispatcher _dispatcher = new(grainFactory, routing, logger, options.Value.Write.ShardWriteCoalescing ? coalescer : null);
    private SubjectLayout? _layout;
    private StreamSchema? _layoutSchema;
    private ImmutableArray<StreamV1.TagFamilySpec> _layoutSpec = [];

    /// <inheritdoc/>
    public async Task<WriteOutcome> Write(StreamWriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        (string group, string name) = SubjectKey.Parse(this.GetPrimaryKeyString());
        if (batch.Metadata.Group != group || batch.Metadata.Name != name)
        {
            throw new ArgumentException($"A batch for '{batch.Metadata.Group}/{batch.Metadata.Name}' reached the stream grain '{group}/{name}'; this is a bug in the caller.", nameof(batch));
        }

        SchemaCatalog catalog = cache.Catalog;
        (SchemaVerdict? verdict, StreamSchema? stream, GroupSettings? settings) = Resolve(catalog, group, name, batch.Metadata.ModRevision);
        if (verdict?.Status == WriteStatus.SchemaNotApplied && catalog.Revision < batch.Metadata.ModRevision)
        {
            catalog = await SubjectWriter.AwaitRevisionAsync(cache, batch.Metadata.ModRevision, options.Value.Write.SchemaApplyWait);
            (verdict, stream, settings) = Resolve(catalog, group, name, batch.Metadata.ModRevision);
        }

        DateTimeOffset now = clock.GetUtcNow();
        ImmutableArray<StreamV1.TagFamilySpec> spec = batch.Spec.IsDefault ? [] : batch.Spec;
        SubjectLayout? layout = verdict is null ? LayoutOf(group, stream!, spec) : null;
        WritePlan plan = StreamWritePlanner.Plan(batch, verdict, layout, settings, now, static () => Interlocked.Increment(ref s_nextGeneratedId));
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
    public async Task<global::Orleans.Concurrency.Immutable<StreamV1.QueryResponse>> Query(StreamV1.QueryRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        StreamQueryExecutor executor = new(new QueryFanOut(grainFactory, routing, listings, options.Value.Query.LocalShardReads ? localShards : null), options.Value.Query);
        return new(await Telemetry.GrainMetrics.TimeQueryAsync("stream", () => QueryRevisionGate.RunAsync(
            cache, GrainInterfaces.Schema.SchemaKind.Stream, request, options.Value.Query.SchemaApplyWait, (gated, catalog) => executor.RunAsync(gated, catalog, clock.GetUtcNow()))));
    }

    private static (SchemaVerdict? Verdict, StreamSchema? Stream, GroupSettings? Settings) Resolve(SchemaCatalog catalog, string group, string name, long clientRevision)
    {
        if (SubjectWriter.ResolveGroup(catalog, group, Catalog.Stream, out GroupSettings? settings) is { } groupVerdict)
        {
            return (groupVerdict, null, null);
        }

        if (!catalog.TryGetStream(group, name, out StreamSchema? stream))
        {
            return (new SchemaVerdict(WriteStatus.NotFound, $"metadata.name: stream '{group}/{name}' does not exist"), null, null);
        }

        return (SchemaVerdict.OfRevision($"stream '{group}/{name}'", clientRevision, stream.Metadata?.ModRevision ?? 0), stream, settings);
    }

    // The layout is rebuilt only when the schema object (a new revision) or the spec changes.
    private SubjectLayout LayoutOf(string group, StreamSchema stream, ImmutableArray<StreamV1.TagFamilySpec> spec)
    {
        if (_layout is null || !ReferenceEquals(_layoutSchema, stream) || !_layoutSpec.SequenceEqual(spec))
        {
            _layout = SubjectLayout.ForStream(group, stream, spec);
            _layoutSchema = stream;
            _layoutSpec = spec;
        }

        return _layout;
    }
}
