using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Silo.Data;

/// <summary>
/// <see cref="WriteStreamPump{TRequest, TResponse, TSpec}"/> for <c>MeasureService/Write</c>: the spec is the last
/// <c>data_point_spec</c> sent; batches go to <see cref="IMeasureGrain"/> <c>group/name</c> on this silo with their data
/// points as the client encoded them (<see cref="WireDataPoints"/>), through the silo's <see cref="SubjectWriteCoalescer"/>
/// when one is given (batches of other streams to the same measure then share calls).
/// </summary>
public sealed class MeasureWritePump(IGrainFactory grains, WriteBatchingOptions options, TimeProvider clock, SubjectWriteCoalescer? coalescer = null)
    : WriteStreamPump<MeasureWireRequest, WriteResponse, DataPointSpec?>(options)
{
    /// <inheritdoc/>
    protected override DataPointSpec? NoSpec => null;

    /// <inheritdoc/>
    protected override Metadata? MetadataOf(MeasureWireRequest request) => request.Metadata;

    /// <inheritdoc/>
    protected override bool TryTakeSpec(MeasureWireRequest request, DataPointSpec? current, out DataPointSpec? spec)
    {
        spec = request.Spec;
        return spec is not null && !spec.Equals(current);
    }

    /// <summary>BanyanDB's liaison's id for a data point without version or message id (<see cref="MeasureMessageIds"/>).</summary>
    protected override ulong MessageIdOf(MeasureWireRequest request)
        => MeasureMessageIds.Assign(request.MessageId, request.HasDataPoint && request.Version == 0, clock);

    /// <inheritdoc/>
    protected override Task<WriteOutcome> WriteAsync(Metadata metadata, DataPointSpec? spec, ReadOnlySpan<MeasureWireRequest> requests, ulong[] messageIds)
    {
        (ScanChunk Chunk, int Slices)[] chunks = ChunksOf(requests);
        MeasureWriteBatch batch = new(metadata, spec, [], DataPointsOf(requests, messageIds));
        Task<WriteOutcome> written = coalescer is null ? Call(batch) : coalescer.WriteAsync(batch, Call);
        return chunks.Length == 0 ? written : ReleaseWhenWrittenAsync(written, chunks);
    }

    private Task<WriteOutcome> Call(MeasureWriteBatch batch)
        => grains.GetGrainCached<IMeasureGrain>(SubjectKey.Of(batch.Metadata.Group, batch.Metadata.Name)).Write(batch);

    /// <summary>
    /// The pooled chunks the requests' data points are slices of, with how many slices each: runs, since a stream's
    /// requests take their slices from one chunk after another.
    /// </summary>
    internal static (ScanChunk Chunk, int Slices)[] ChunksOf(ReadOnlySpan<MeasureWireRequest> requests)
    {
        List<(ScanChunk Chunk, int Slices)>? runs = null;
        foreach (MeasureWireRequest request in requests)
        {
            if (request.Chunk is not { } chunk)
            {
                continue;
            }

            runs ??= [];
            if (runs.Count > 0 && ReferenceEquals(runs[^1].Chunk, chunk))
            {
                runs[^1] = (chunk, runs[^1].Slices + 1);
            }
            else
            {
                runs.Add((chunk, 1));
            }
        }

        return runs is null ? [] : [.. runs];
    }

    /// <summary>
    /// The grain call's outcome, the batch's slices released once it succeeded: the grain has decoded the data points into
    /// its own columns by then. A failed call (a timeout, a silo going away) may still be reading them: its slices are
    /// never released, and their chunks are left to the garbage collector.
    /// </summary>
    internal static async Task<WriteOutcome> ReleaseWhenWrittenAsync(Task<WriteOutcome> written, (ScanChunk Chunk, int Slices)[] chunks)
    {
        WriteOutcome outcome = await written;
        foreach ((ScanChunk chunk, int slices) in chunks)
        {
            chunk.Release(slices);
        }

        return outcome;
    }

    /// <inheritdoc/>
    protected override WriteResponse Response(ulong messageId, string status, Metadata metadata)
        => new() { MessageId = messageId, Status = status, Metadata = metadata };

    // The batch's data points as the scanner kept them (slices of its read chunks): no copy for the grain call.
    private static WireDataPoints DataPointsOf(ReadOnlySpan<MeasureWireRequest> requests, ulong[] messageIds)
    {
        ReadOnlyMemory<byte>[] points = new ReadOnlyMemory<byte>[requests.Length];
        for (int i = 0; i < requests.Length; i++)
        {
            points[i] = requests[i].DataPoint;
        }

        return new WireDataPoints(points, messageIds);
    }
}
