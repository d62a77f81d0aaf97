using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Silo.Data;

/// <summary>
/// <see cref="WriteStreamPump{TRequest, TResponse, TSpec}"/> for <c>MeasureService/Write</c>: the spec is the last
/// <c>data_point_spec</c> sent; batches go to <see cref="IMeasureGrain"/> <c>group/name</c> on this silo.
/// </summary>
public sealed class MeasureWritePump(IGrainFactory grains, WriteBatchingOptions options, TimeProvider clock)
    : WriteStreamPump<WriteRequest, WriteResponse, DataPointSpec?>(options)
{
    /// <inheritdoc/>
    protected override DataPointSpec? NoSpec => null;

    /// <inheritdoc/>
    protected override Metadata? MetadataOf(WriteRequest request) => request.Metadata;

    /// <inheritdoc/>
    protected override bool TryTakeSpec(WriteRequest request, DataPointSpec? current, out DataPointSpec? spec)
    {
        spec = request.DataPointSpec;
        return spec is not null && !spec.Equals(current);
    }

    /// <summary>BanyanDB's liaison's id for a data point without version or message id (<see cref="MeasureMessageIds"/>).</summary>
    protected override ulong MessageIdOf(WriteRequest request) => MeasureMessageIds.Assign(request, clock);

    /// <inheritdoc/>
    protected override Task<WriteOutcome> WriteAsync(Metadata metadata, DataPointSpec? spec, ImmutableArray<WriteRequest> requests)
        => grains.GetGrainCached<IMeasureGrain>(SubjectKey.Of(metadata.Group, metadata.Name)).Write(new MeasureWriteBatch(metadata, spec, requests));

    /// <inheritdoc/>
    protected override WriteResponse Response(ulong messageId, string status, Metadata metadata)
        => new() { MessageId = messageId, Status = status, Metadata = metadata };
}
