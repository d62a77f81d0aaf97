using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Client.Writes;

/// <summary>
/// A <see cref="BulkWriter{TPoint, TRequest}"/> of one measure: data points go to <see cref="IMeasureGrain"/>
/// <c>group/name</c> as <see cref="MeasureWriteBatch"/>es. Create it with <c>BanyanClient.CreateMeasureWriter</c>.
/// </summary>
/// <remarks>
/// Tag and field values are in the order the measure declares them, or in the order of the data point spec given at
/// creation. A point without a <c>version</c> gets a message id from <see cref="MeasureMessageIds"/> (the time in
/// nanoseconds, as BanyanDB's liaison and the silo's gRPC write path give it), which the measure grain takes as its
/// version: a later write of the same series and timestamp wins. Every point is safe to send again: a measure keeps one
/// value per series, timestamp and version, so a point stored twice is stored once.
/// </remarks>
public sealed class MeasureWriter : BulkWriter<DataPointValue, WriteRequest>
{
    private readonly IMeasureGrain _grain;
    private readonly Metadata _metadata;
    private readonly DataPointSpec? _spec;
    private readonly TimeProvider _clock;

    /// <summary>Creates a writer of measure <paramref name="name"/> in <paramref name="group"/>.</summary>
    /// <param name="grains">The cluster client (or any grain factory).</param>
    /// <param name="group">The measure's group.</param>
    /// <param name="name">The measure's name.</param>
    /// <param name="options">Batching, bounds and retries.</param>
    /// <param name="spec">The order of tag families, tags and fields in the points; null: the measure's own order.</param>
    /// <param name="clock">The clock of flushes, backoff and generated message ids.</param>
    /// <exception cref="ArgumentException">The group or the name is empty.</exception>
    public MeasureWriter(IGrainFactory grains, string group, string name, BulkWriterOptions options, DataPointSpec? spec = null, TimeProvider? clock = null)
        : base(options, clock ?? TimeProvider.System)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _metadata = new Metadata { Group = group, Name = name };
        _grain = grains.GetGrain<IMeasureGrain>(SubjectKey.Of(group, name));
        _spec = spec?.Clone();
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The measure written: group and name.</summary>
    public Metadata Measure => _metadata.Clone();

    /// <inheritdoc/>
    protected override string NotResentReason => "measure points are always safe to resend";

    /// <inheritdoc/>
    protected override WriteRequest RequestOf(DataPointValue point)
    {
        WriteRequest request = new() { DataPoint = point };
        MeasureMessageIds.Assign(request, _clock);
        return request;
    }

    /// <inheritdoc/>
    protected override Task<WriteOutcome> SendAsync(ImmutableArray<WriteRequest> requests)
        => _grain.Write(new MeasureWriteBatch(_metadata, _spec, requests));

    /// <inheritdoc/>
    protected override bool IsSafeToResend(WriteRequest request) => true;
}
