using System.Buffers;
using Banyan.GrainInterfaces.Writes;
using Banyan.Silo.Data;
using Google.Protobuf;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// The scanner's pooled chunks go back to the pool only when nothing can read them any more: the scanner has moved on
/// and every batch holding a slice was written. Returned early, a chunk rented by another stream would overwrite data
/// points a grain has not decoded yet.
/// </summary>
public sealed class ScanChunkTests
{
    private static readonly Metadata s_metadata = new() { Group = "g", Name = "cpm" };

    [Fact]
    public void A_chunk_returns_once_sealed_and_every_slice_released_in_either_order()
    {
        ScanChunk releasedFirst = ScanChunk.Rent();
        releasedFirst.Release(2); // a batch written before the scanner moved on
        Assert.False(releasedFirst.Returned);
        releasedFirst.Seal(3);
        Assert.False(releasedFirst.Returned);
        releasedFirst.Release(1);
        Assert.True(releasedFirst.Returned);

        ScanChunk sealedFirst = ScanChunk.Rent();
        sealedFirst.Seal(1);
        Assert.False(sealedFirst.Returned);
        sealedFirst.Release(1);
        Assert.True(sealedFirst.Returned);

        ScanChunk unused = ScanChunk.Rent();
        unused.Seal(0);
        Assert.True(unused.Returned);
    }

    [Fact]
    public void Releasing_more_slices_than_were_handed_out_is_an_error()
    {
        ScanChunk chunk = ScanChunk.Rent();
        chunk.Seal(1);
        chunk.Release(1);
        Assert.Throws<InvalidOperationException>(() => chunk.Release(1));
    }

    [Fact]
    public void The_scanner_slices_one_chunk_after_another_and_hands_the_last_back_when_disposed()
    {
        MeasureWireRequest[] requests;
        using (MeasureWireScanner scanner = new())
        {
            // About 30 bytes a data point: 3,000 of them fill two 32 KiB chunks and start a third.
            requests = [.. Enumerable.Range(0, 3_000).Select(i => scanner.Scan(new ReadOnlySequence<byte>(Request((ulong)i + 1, "entity-" + i).ToByteArray())))];
        }

        // A data point that does not fit in the rest of a chunk starts the next one.
        int expected = 1;
        int used = 0;
        foreach (MeasureWireRequest request in requests)
        {
            if (ScanChunk.Size - used < request.DataPoint.Length)
            {
                expected++;
                used = 0;
            }

            used += request.DataPoint.Length;
        }

        (ScanChunk Chunk, int Slices)[] runs = MeasureWritePump.ChunksOf(requests);
        Assert.True(expected >= 3, $"{expected} chunks: the test needs more data points");
        Assert.Equal(expected, runs.Length);
        Assert.Equal(requests.Length, runs.Sum(r => r.Slices));
        Assert.Equal(runs.Length, runs.Select(r => r.Chunk).Distinct().Count());
        for (int i = 0; i < requests.Length; i++)
        {
            // Every slice holds its own data point: nothing was overwritten by a later one.
            Assert.Equal(Request((ulong)i + 1, "entity-" + i).DataPoint.ToByteArray(), requests[i].DataPoint.ToArray());
        }

        // Sealed (moved past, or disposed) but not released: none is back in the pool yet.
        Assert.All(runs, r => Assert.False(r.Chunk.Returned));
        foreach ((ScanChunk chunk, int slices) in runs)
        {
            chunk.Release(slices);
        }

        Assert.All(runs, r => Assert.True(r.Chunk.Returned));
    }

    [Fact]
    public void A_large_data_point_gets_its_own_array_and_no_chunk()
    {
        using MeasureWireScanner scanner = new();
        MeasureWireRequest large = scanner.Scan(new ReadOnlySequence<byte>(Request(1, new string('x', ScanChunk.Size / 2)).ToByteArray()));
        Assert.Null(large.Chunk);
        Assert.Empty(MeasureWritePump.ChunksOf([large]));
    }

    [Fact]
    public async Task A_written_batch_releases_its_slices_and_a_failed_one_never_does()
    {
        using MeasureWireScanner scanner = new();
        MeasureWireRequest[] first = [scanner.Scan(Bytes(1)), scanner.Scan(Bytes(2))];
        MeasureWireRequest[] second = [scanner.Scan(Bytes(3))];
        scanner.Dispose(); // the stream ended: the chunk is sealed with its three slices
        ScanChunk chunk = Assert.Single(MeasureWritePump.ChunksOf([.. first, .. second])).Chunk;

        WriteOutcome ok = new([WriteStatus.Succeed, WriteStatus.Succeed], [], 2);
        Assert.Same(ok, await MeasureWritePump.ReleaseWhenWrittenAsync(Task.FromResult(ok), MeasureWritePump.ChunksOf(first)));
        Assert.False(chunk.Returned);

        // The grain call failed (a timeout, say): the grain may still be reading, so the chunk must not be reused.
        await Assert.ThrowsAsync<TimeoutException>(() => MeasureWritePump.ReleaseWhenWrittenAsync(Task.FromException<WriteOutcome>(new TimeoutException()), MeasureWritePump.ChunksOf(second)));
        Assert.False(chunk.Returned);
    }

    private static ReadOnlySequence<byte> Bytes(ulong messageId) => new(Request(messageId, "e" + messageId).ToByteArray());

    private static MeasureV1.WriteRequest Request(ulong messageId, string entity) => new()
    {
        MessageId = messageId,
        Metadata = messageId == 1 ? s_metadata : null,
        DataPoint = new MeasureV1.DataPointValue
        {
            Timestamp = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1_700_000_000 },
            TagFamilies = { new Banyan.Api.Model.V1.TagFamilyForWrite { Tags = { new Banyan.Api.Model.V1.TagValue { Str = new Banyan.Api.Model.V1.Str { Value = entity } } } } },
        },
    };
}
