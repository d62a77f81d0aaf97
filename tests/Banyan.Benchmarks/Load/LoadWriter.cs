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
public sealed class LoadWriter(PeerDataset dataset, int streams, LoadClient clientKind = LoadClient.Coalescing, int flushEvery = LoadWriter.DefaultFlushEvery)
{
    /// <summary>
    /// Messages per flush of a <see cref="LoadClient.Coalescing"/> stream: the chunk grpc-java's Netty transport drains
    /// from its write queue before it flushes (<c>WriteQueue</c>, 128 commands).
    /// </summary>
    public const int DefaultFlushEvery = 128;

    /// <summary>
    /// Sends every data point and waits for every response (bounded by <paramref name="cancellationToken"/>), through
    /// <paramref name="channel"/> (<see cref="LoadClient.GrpcDotnet"/>) or raw HTTP/2 to the same address.
    /// </summary>
    public async Task<LoadWriteResult> WriteAsync(GrpcChannel channel, Uri address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        Timestamp[] timestamps = new Timestamp[dataset.Points];
        for (int i = 0; i < timestamps.Length; i++)
        {
            long ms = dataset.TimestampMs(i);
            timestamps[i] = new Timestamp { Seconds = Math.DivRem(ms, 1000, out long rest), Nanos = (int)rest * 1_000_000 };
        }

        // Tag values of a series are the same in every point: one message per series, shared by its points.
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

        MeasureService.MeasureServiceClient client = new(channel);
        using HttpClient http = CoalescingLoadWriteCall.CreateClient();
        Task<LoadWriteResult>[] running = new Task<LoadWriteResult>[streams];
        for (int s = 0; s < streams; s++)
        {
            int stream = s;
            running[s] = Task.Run(
                async () =>
                {
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

    private async Task<LoadWriteResult> WriteStreamAsync(ILoadWriteCall call, int stream, Timestamp[] timestamps, TagFamilyForWrite[] families, CancellationToken cancellationToken)
    {
        // This stream's series, by metric kind.
        List<int>[] byKind = [[], [], []];
        for (int j = stream; j < dataset.Series; j += streams)
        {
            byKind[(int)PeerDataset.KindOf(j)].Add(j);
        }

        Metadata[] metadata = [.. Enum.GetValues<PeerMetricKind>().Select(PeerSchema.MetadataOf)];
        Task<WriteResponseTally> reading = call.ReadResponsesAsync(cancellationToken);
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
                    await call.WriteAsync(
                        new WriteRequest
                        {
                            Metadata = first ? metadata[kind] : null,
                            MessageId = ++messageId,
                            DataPoint = new DataPointValue { Timestamp = timestamps[i], TagFamilies = { families[j] }, Fields = { field } },
                        },
                        cancellationToken);
                    first = false;
                }
            }
        }

        await call.CompleteAsync();
        WriteResponseTally responses = await reading;
        return new LoadWriteResult((long)messageId, responses.Succeeded, responses.Failed, responses.FirstFailure);
    }
}
