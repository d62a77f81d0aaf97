using Banyan.Client.Schema;
using Banyan.Client.Writes;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Writes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Client;

/// <summary>
/// Banyan from .NET, over an Orleans cluster client: the schema registries, queries, and bulk writers of measures and
/// streams, with BanyanDB's protobuf messages. Registered by <c>AddBanyanClient</c>; resolve it from DI, or wrap any
/// connected <see cref="IClusterClient"/> (or grain factory) with the constructor.
/// </summary>
public sealed class BanyanClient
{
    private readonly BulkWriterOptions _writerDefaults;
    private readonly TimeProvider _clock;

    /// <summary>Wraps <paramref name="grains"/>; writers default to <paramref name="writerDefaults"/> (or <see cref="BulkWriterOptions"/>' defaults).</summary>
    /// <exception cref="BanyanClientSettingException">A writer default is out of range.</exception>
    public BanyanClient(IGrainFactory grains, BulkWriterOptions? writerDefaults = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        Grains = grains;
        _writerDefaults = (writerDefaults ?? new BulkWriterOptions()).Clone();
        _writerDefaults.Validate();
        _clock = clock ?? TimeProvider.System;
        Schemas = new SchemaRegistries(grains);
    }

    /// <summary>The grain factory underneath (the cluster client), for calls the helpers do not cover.</summary>
    public IGrainFactory Grains { get; }

    /// <summary>The schema registries: groups, streams, measures, index rules, index rule bindings, TopN aggregations.</summary>
    public SchemaRegistries Schemas { get; }

    /// <summary>The writer defaults in force (a copy).</summary>
    public BulkWriterOptions WriterDefaults => _writerDefaults.Clone();

    /// <summary>
    /// Runs a measure query (BanyanDB's <c>MeasureService/Query</c>) on the measure grain of <c>groups[0]/name</c>:
    /// every group named, the segments overlapping the time range, every shard, merged.
    /// </summary>
    /// <exception cref="GrainInterfaces.Schema.SchemaValidationException">The request is malformed (the message names the field).</exception>
    /// <exception cref="GrainInterfaces.Schema.SchemaNotFoundException">A group or the measure does not exist.</exception>
    /// <exception cref="GrainInterfaces.Shards.ShardUnavailableException">A shard holding data in the range cannot be reached (retryable).</exception>
    /// <exception cref="GrainInterfaces.Queries.QueryLimitException">The query would read more rows than the silo allows.</exception>
    public async Task<MeasureV1.QueryResponse> QueryAsync(MeasureV1.QueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await Grains.GetGrainCached<IMeasureGrain>(SubjectKey.OfQuery(request.Groups, request.Name, "measure")).Query(request).WaitAsync(cancellationToken)).Value;
    }

    /// <summary>
    /// Reads a TopN aggregation (BanyanDB's <c>MeasureService/TopN</c>) on the measure grain of <c>groups[0]/name</c>
    /// (<c>name</c> is the <c>TopNAggregation</c>'s): the ranked lists every shard of its source measure keeps, merged
    /// and re-ranked (<c>docs/api.md</c>, "TopN").
    /// </summary>
    /// <exception cref="GrainInterfaces.Schema.SchemaValidationException">The request is malformed (the message names the field).</exception>
    /// <exception cref="GrainInterfaces.Schema.SchemaNotFoundException">A group or the aggregation does not exist.</exception>
    /// <exception cref="GrainInterfaces.Shards.ShardUnavailableException">A shard holding data in the range cannot be reached (retryable).</exception>
    public Task<MeasureV1.TopNResponse> TopNAsync(MeasureV1.TopNRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Grains.GetGrainCached<IMeasureGrain>(SubjectKey.OfQuery(request.Groups, request.Name, "TopN aggregation")).TopN(request).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs a stream query (BanyanDB's <c>StreamService/Query</c>) on the stream grain of <c>groups[0]/name</c>.
    /// </summary>
    /// <exception cref="GrainInterfaces.Schema.SchemaValidationException">The request is malformed (the message names the field).</exception>
    /// <exception cref="GrainInterfaces.Schema.SchemaNotFoundException">A group or the stream does not exist.</exception>
    /// <exception cref="GrainInterfaces.Shards.ShardUnavailableException">A shard holding data in the range cannot be reached (retryable).</exception>
    /// <exception cref="GrainInterfaces.Queries.QueryLimitException">The query would read more rows than the silo allows.</exception>
    public async Task<StreamV1.QueryResponse> QueryAsync(StreamV1.QueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await Grains.GetGrainCached<IStreamGrain>(SubjectKey.OfQuery(request.Groups, request.Name, "stream")).Query(request).WaitAsync(cancellationToken)).Value;
    }

    /// <summary>
    /// A bulk writer of measure <paramref name="measure"/> in <paramref name="group"/>:
    /// <c>await using var writer = client.CreateMeasureWriter("sw_metric", "service_cpm_minute");</c>, then
    /// <c>WriteAsync</c> per point and <c>CompleteAsync</c>.
    /// </summary>
    /// <param name="group">The measure's group.</param>
    /// <param name="measure">The measure's name.</param>
    /// <param name="options">Batching, bounds and retries; null: <see cref="WriterDefaults"/>.</param>
    /// <param name="spec">The order of tag families, tags and fields in the points; null: the measure's own order.</param>
    public MeasureWriter CreateMeasureWriter(string group, string measure, BulkWriterOptions? options = null, MeasureV1.DataPointSpec? spec = null)
        => new(Grains, group, measure, options ?? _writerDefaults, spec, _clock);

    /// <summary>A bulk writer of stream <paramref name="stream"/> in <paramref name="group"/> (see <see cref="CreateMeasureWriter"/>).</summary>
    /// <param name="group">The stream's group.</param>
    /// <param name="stream">The stream's name.</param>
    /// <param name="options">Batching, bounds and retries; null: <see cref="WriterDefaults"/>.</param>
    /// <param name="spec">The order of tag families and tags in the elements; null: the stream's own order.</param>
    public StreamElementWriter CreateStreamWriter(string group, string stream, BulkWriterOptions? options = null, IEnumerable<StreamV1.TagFamilySpec>? spec = null)
        => new(Grains, group, stream, options ?? _writerDefaults, spec, _clock);
}
