using System.Buffers;
using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Banyan.Api.Model.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Metadata = Banyan.Api.Common.V1.Metadata;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Banyan.Benchmarks.Load;

/// <summary>What the write phase saw.</summary>
/// <param name="Sent">Write requests sent.</param>
/// <param name="Succeeded">Responses with <c>STATUS_SUCCEED</c>.</param>
/// <param name="Failed">Responses with any other status.</param>
/// <param name="FirstFailure">The first failed response (message id and status), or null.</param>
public sealed record LoadWriteResult(long Sent, long Succeeded, long Failed, string? FirstFailure);

/// <summary>
/// Writes a <see cref="PeerDataset"/> through <c>MeasureService/Write</c>: <c>streams</c> concurrent bidirectional
/// streams on one HTTP/2 connection, series <c>j</c> on stream <c>j % streams</c>. BanyanDB's <c>WriteRequest</c> carries
/// one data point, so each stream pipelines its messages: it never waits for a response before sending the next one
/// (HTTP/2 flow control and the silo's bounded in-flight batches are the only back-pressure), and a reader per stream
/// counts the responses. Each stream sends in time order (every series of the stream at t0, then at t0 + step, ...,
/// as a scraper delivers them), metric by metric within a timestamp, so metadata is sent when the metric changes and
/// the silo's batches hold one measure each. How the messages reach the wire is the <see cref="LoadClient"/>'s: many per
/// write by default, as SkyWalking's OAP (grpc-java) sends them, or one per write through Grpc.Net.Client.
/// </summary>
public sealed class LoadWriter(PeerDataset dataset, int streams, LoadClient clientKind = LoadClient.Coalescing, int flushEvery = LoadWriter.DefaultFlushEvery, string group = PeerSchema.Group)
{
    /// <summary>
    /// Messages per flush of a <see cref="LoadClient.Coalescing"/> stream: the chunk grpc-java's Netty transport drains
    /// from its write queue before it flushes (<c>WriteQueue</c>, 128 commands).
    /// </summary>
    public const int DefaultFlushEvery = 128;

    // Prepared streams (LoadClient.Prepared): per stream, its writes' framed bytes and its message count.
    private (List<byte[]> Writes, long Messages)[]? _prepared;

    /// <summary>
    /// For <see cref="LoadClient.Prepared"/>, encodes and frames every stream's messages, <c>flushEvery</c> to a write,
    /// before the timed phase (<see cref="WriteAsync"/>); nothing for the other clients. Holds the whole dataset's
    /// messages in memory (about 100 bytes per data point).
    /// </summary>
    public void Prepare()
    {
        if (clientKind != LoadClient.Prepared)
        {
            return;
        }

        (Timestamp[] timestamps, TagFamilyForWrite[] families) = SharedParts();
        _prepared = new (List<byte[]>, long)[streams];
        ArrayBufferWriter<byte> write = new(1 << 16);
        for (int s = 0; s < streams; s++)
        {
            List<byte[]> writes = [];
            long messages = 0;
            foreach (WriteRequest request in MessagesOf(s, timestamps, families))
            {
                CoalescingLoadWriteCall.Frame(request, write);
                if (++messages % flushEvery == 0)
                {
                    writes.Add(write.WrittenSpan.ToArray());
                    write.ResetWrittenCount();
                }
            }

            if (write.WrittenCount > 0)
            {
                writes.Add(write.WrittenSpan.ToArray());
                write.ResetWrittenCount();
            }

            _prepared[s] = (writes, messages);
        }
    }

    /// <summary>
    /// Sends every data point and waits for every response (bounded by <paramref name="cancellationToken"/>), through
    /// <paramref name="channel"/> (<see cref="LoadClient.GrpcDotnet"/>) or raw HTTP/2 to the same address
    /// (<see cref="LoadClient.Prepared"/> after <see cref="Prepare"/>).
    /// </summary>
    public async Task<LoadWriteResult> WriteAsync(GrpcChannel channel, Uri address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (clientKind == LoadClient.Prepared && _prepared is null)
        {
            throw new InvalidOperationException("the prepared client sends what Prepare() encoded: call it first");
        }

        (Timestamp[] timestamps, TagFamilyForWrite[] families) = clientKind == LoadClient.Prepared ? ([], []) : SharedParts();
        MeasureService.MeasureServiceClient client = new(channel);
        using HttpClient http = CoalescingLoadWriteCall.CreateClient();
        Task<LoadWriteResult>[] running = new Task<LoadWriteResult>[streams];
        for (int s = 0; s < streams; s++)
        {
            int stream = s;
            running[s] = Task.Run(
                async () =>
                {
                    if (_prepared is { } prepared)
                    {
                        await using CoalescingLoadWriteCall framed = new(http, address, flushEvery, cancellationToken);
                        return await WritePreparedAsync(framed, prepared[stream].Writes, prepared[stream].Messages, cancellationToken);
                    }

                    await using ILoadWriteCall call = clientKind == LoadClient.GrpcDotnet
                        ? new GrpcDotnetLoadWriteCall(client, cancellationToken)
                        : new CoalescingLoadWriteCall(http, address, flushEvery, cancellationToken);
                    return await WriteStreamAsync(call, stream, timestamps, families, cancellationToken);
                },
                cancellationToken);
        }

        LoadWriteResult[] results = await Task.WhenAll(running);
        return new LoadWriteResult(
            results.Sum(r => r.Sent),
            results.Sum(r => r.Succeeded),
            results.Sum(r => r.Failed),
            results.Select(r => r.FirstFailure).FirstOrDefault(f => f is not null));
    }

    // The timestamps of the dataset's points and, per series, its tag family (the same in every point of the series).
    private (Timestamp[] Timestamps, TagFamilyForWrite[] Families) SharedParts()
    {
        Timestamp[] timestamps = new Timestamp[dataset.Points];
        for (int i = 0; i < timestamps.Length; i++)
        {
            long ms = dataset.TimestampMs(i);
            timestamps[i] = new Timestamp { Seconds = Math.DivRem(ms, 1000, out long rest), Nanos = (int)rest * 1_000_000 };
        }

        TagFamilyForWrite[] families = new TagFamilyForWrite[dataset.Series];
        for (int j = 0; j < families.Length; j++)
        {
            PeerSeriesTags tags = dataset.TagsOf(j);
            families[j] = new TagFamilyForWrite
            {
                Tags =
                {
                    new TagValue { Str = new Str { Value = tags.ServiceId } },
                    new TagValue { Str = new Str { Value = tags.InstanceId } },
                    new TagValue { Str = new Str { Value = tags.EndpointId } },
                },
            };
        }

        return (timestamps, families);
    }

    private async Task<LoadWriteResult> WriteStreamAsync(ILoadWriteCall call, int stream, Timestamp[] timestamps, TagFamilyForWrite[] families, CancellationToken cancellationToken)
    {
        Task<WriteResponseTally> reading = call.ReadResponsesAsync(cancellationToken);
        long sent = 0;
        foreach (WriteRequest request in MessagesOf(stream, timestamps, families))
        {
            await call.WriteAsync(request, cancellationToken);
            sent++;
        }

        await call.CompleteAsync();
        WriteResponseTally responses = await reading;
        return new LoadWriteResult(sent, responses.Succeeded, responses.Failed, responses.FirstFailure);
    }

    private static async Task<LoadWriteResult> WritePreparedAsync(CoalescingLoadWriteCall call, List<byte[]> writes, long messages, CancellationToken cancellationToken)
    {
        Task<WriteResponseTally> reading = call.ReadResponsesAsync(cancellationToken);
        foreach (byte[] write in writes)
        {
            await call.WriteFramedAsync(write, cancellationToken);
        }

        await call.CompleteAsync();
        WriteResponseTally responses = await reading;
        return new LoadWriteResult(messages, responses.Succeeded, responses.Failed, responses.FirstFailure);
    }

    // The messages of one stream, in the order it sends them: its series (series j on stream j % streams) at each
    // timestamp in turn, metric kind by metric kind, metadata on the first message of each kind's run; message ids from 1.
    private IEnumerable<WriteRequest> MessagesOf(int stream, Timestamp[] timestamps, TagFamilyForWrite[] families)
    {
        List<int>[] byKind = [[], [], []];
        for (int j = stream; j < dataset.Series; j += streams)
        {
            byKind[(int)PeerDataset.KindOf(j)].Add(j);
        }

        Metadata[] metadata = [.. Enum.GetValues<PeerMetricKind>().Select(kind => PeerSchema.MetadataOf(kind, group))];
        ulong messageId = 0;
        for (int i = 0; i < dataset.Points; i++)
        {
            for (int kind = 0; kind < byKind.Length; kind++)
            {
                bool first = true;
                foreach (int j in byKind[kind])
                {
                    double value = dataset.Value(j, i);
                    FieldValue field = kind == (int)PeerMetricKind.Gauge
                        ? new FieldValue { Float = new Float { Value = value } }
                        : new FieldValue { Int = new Int { Value = (long)value } };
                    yield return new WriteRequest
                    {
                        Metadata = first ? metadata[kind] : null,
                        MessageId = ++messageId,
                        DataPoint = new DataPointValue { Timestamp = timestamps[i], TagFamilies = { families[j] }, Fields = { field } },
                    };
                    first = false;
                }
            }
        }
    }
}
