using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Stream.V1;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Silo.Data;

/// <summary>
/// <see cref="WriteStreamPump{TRequest, TResponse, TSpec}"/> for <c>StreamService/Write</c>: the spec is the last
/// non-empty <c>tag_family_spec</c> sent; batches go to <see cref="IStreamGrain"/> <c>group/name</c> on this silo, through
/// the silo's <see cref="SubjectWriteCoalescer"/> when one is given (batches of other streams to the same stream then share
/// calls).
/// </summary>
public sealed class StreamWritePump(IGrainFactory grains, WriteBatchingOptions options, SubjectWriteCoalescer? coalescer = null)
    : WriteStreamPump<WriteRequest, WriteResponse, ImmutableArray<TagFamilySpec>>(options)
{
    /// <inheritdoc/>
    protected override ImmutableArray<TagFamilySpec> NoSpec => [];

    /// <inheritdoc/>
    protected override Metadata? MetadataOf(WriteRequest request) => request.Metadata;

    /// <inheritdoc/>
    protected override bool TryTakeSpec(WriteRequest request, ImmutableArray<TagFamilySpec> current, out ImmutableArray<TagFamilySpec> spec)
    {
        // As upstream, an empty list is "no spec in this message", not "back to schema order".
        if (request.TagFamilySpec.Count == 0 || request.TagFamilySpec.SequenceEqual(current))
        {
            spec = current;
            return false;
        }

        spec = [.. request.TagFamilySpec];
        return true;
    }

    /// <inheritdoc/>
    protected override ulong MessageIdOf(WriteRequest request) => request.MessageId;

    /// <inheritdoc/>
    protected override Task<WriteOutcome> WriteAsync(Metadata metadata, ImmutableArray<TagFamilySpec> spec, ReadOnlySpan<WriteRequest> requests, ulong[] messageIds)
    {
        StreamWriteBatch batch = new(metadata, spec, ImmutableArray.Create(requests));
        return coalescer is null ? Call(batch) : coalescer.WriteAsync(batch, Call);
    }

    private Task<WriteOutcome> Call(StreamWriteBatch batch)
        => grains.GetGrainCached<IStreamGrain>(SubjectKey.Of(batch.Metadata.Group, batch.Metadata.Name)).Write(batch);

    /// <inheritdoc/>
    protected override WriteResponse Response(ulong messageId, string status, Metadata metadata)
        => new() { MessageId = messageId, Status = status, Metadata = metadata };
}
