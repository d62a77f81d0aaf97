using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Silo.Data;

/// <summary>
/// <see cref="WriteStreamPump{TRequest, TResponse, TSpec}"/> for <c>MeasureService/Write</c>: the spec is the last
/// <c>data_point_spec</c> sent; batches go to <see cref="IMeasureGrain"/> <c>group/name</c> on this silo.
/// </summary>
public sealed class MeasureWritePump(IGrainFactory grains, WriteBatchingOptions options, TimeProvider clock)
    : WriteStreamPump<WriteRequest, WriteResponse, DataPointSpec?>(options)
{
    private static long s_lastGeneratedId;

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

    /// <summary>
    /// BanyanDB's liaison gives a data point written with neither a version nor a message id the current time in
    /// nanoseconds as both (<c>measure.go</c> <c>processAndPublishRequest</c>), and answers with that id; so does this
    /// host, with ids that only grow.
    /// </summary>
    protected override ulong MessageIdOf(WriteRequest request)
    {
        if (request.MessageId == 0 && request.DataPoint is { Version: 0 })
        {
            long now = (clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
            long last = Interlocked.Read(ref s_lastGeneratedId);
            long id = Math.Max(now, last + 1);
            while (Interlocked.CompareExchange(ref s_lastGeneratedId, id, last) != last)
            {
                last = Interlocked.Read(ref s_lastGeneratedId);
                id = Math.Max(now, last + 1);
            }

            request.MessageId = (ulong)id;
        }

        return request.MessageId;
    }

    /// <inheritdoc/>
    protected override Task<WriteOutcome> WriteAsync(Metadata metadata, DataPointSpec? spec, ImmutableArray<WriteRequest> requests)
        => grains.GetGrain<IMeasureGrain>(SubjectKey.Of(metadata.Group, metadata.Name)).Write(new MeasureWriteBatch(metadata, spec, requests));

    /// <inheritdoc/>
    protected override WriteResponse Response(ulong messageId, string status, Metadata metadata)
        => new() { MessageId = messageId, Status = status, Metadata = metadata };
}
