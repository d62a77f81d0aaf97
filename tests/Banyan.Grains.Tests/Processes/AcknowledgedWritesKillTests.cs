using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using Grpc.Core;
using Grpc.Net.Client;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Grains.Tests.Processes;

/// <summary>
/// The real silo executable takes a gRPC write stream and is killed with SIGKILL while writing, then restarted on the
/// same data folder: every data point it answered <c>STATUS_SUCCEED</c> is there (a response is sent only once the
/// shard's WAL fsync covers the point). A few rounds by default, many with <c>BANYAN_LONG_TESTS=1</c>.
/// </summary>
public sealed class AcknowledgedWritesKillTests : IDisposable
{
    private static readonly bool s_long = Environment.GetEnvironmentVariable("BANYAN_LONG_TESTS") == "1";
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task No_acknowledged_point_is_lost_when_the_silo_is_killed_during_writes()
    {
        const string node = "kill-node";
        const string group = "kill-g";
        SiloProcess.Endpoints endpoints = SiloProcess.Endpoints.Free();
        int rounds = s_long ? 25 : 3;
        Dictionary<long, ulong> acknowledged = [];
        long next = 0;
        DateTimeOffset t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).AddHours(-2);
        Metadata? metadata = null;

        for (int round = 0; round <= rounds; round++)
        {
            await using SiloProcess silo = await SiloProcess.StartAsync(_data.Path, node, endpoints);
            await using (ClientHost client = await ClientHost.StartLocalhostAsync(endpoints.GatewayPort))
            {
                if (metadata is null)
                {
                    await Schemas.CreateAsync(client.Client, WriteSchemas.Group(group, Catalog.Measure, shards: 2), WriteSchemas.Measure(group));
                    metadata = await Schemas.MetadataOfAsync(client.Client, new SchemaKey(SchemaKind.Measure, group, "cpm"));
                }

                // Everything acknowledged in earlier rounds survived the kill.
                List<StoredRow> rows = await StoredRows.ReadAsync(client.Client, group, "cpm");
                HashSet<long> stored = [.. rows.Select(r => (long)r[null, "total"]!)];
                long[] lost = [.. acknowledged.Keys.Where(total => !stored.Contains(total)).Order()];
                Assert.True(lost.Length == 0, $"round {round}: {lost.Length} acknowledged points lost, e.g. total {string.Join(", ", lost.Take(5))} (message ids {string.Join(", ", lost.Take(5).Select(l => acknowledged[l]))})");
            }

            if (round == rounds)
            {
                Assert.True(await silo.StopAsync());
                break;
            }

            // Write until some points are acknowledged and a random moment has passed, then kill -9 mid-stream.
            using GrpcChannel channel = GrpcChannel.ForAddress($"http://127.0.0.1:{endpoints.GrpcPort}");
            using CancellationTokenSource stop = new(TimeSpan.FromSeconds(60));
            TaskCompletionSource enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
            int wanted = Random.Shared.Next(50, 3_000);
            Task writing = WriteUntilBrokenAsync(channel, metadata!, () => next++, t0, acknowledged, wanted, enough, stop.Token);
            await Task.WhenAny(enough.Task, writing).WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(Random.Shared.Next(0, 200));
            await silo.KillAsync();
            await writing.WaitAsync(TimeSpan.FromSeconds(60));
        }

        Assert.True(acknowledged.Count > 0, "nothing was acknowledged");
    }

    // One write stream: send points (at most 2,000 unanswered), record each STATUS_SUCCEED, end when the server goes away.
    private static async Task WriteUntilBrokenAsync(GrpcChannel channel, Metadata metadata, Func<long> nextTotal, DateTimeOffset t0, Dictionary<long, ulong> acknowledged, int wanted, TaskCompletionSource enough, CancellationToken cancellationToken)
    {
        using AsyncDuplexStreamingCall<MeasureV1.WriteRequest, MeasureV1.WriteResponse> call = new MeasureV1.MeasureService.MeasureServiceClient(channel).Write(cancellationToken: cancellationToken);
        SemaphoreSlim window = new(2_000);
        Dictionary<ulong, long> sent = [];
        Lock gate = new();
        int acked = 0;
        Task reading = Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    MeasureV1.WriteResponse response = call.ResponseStream.Current;
                    lock (gate)
                    {
                        Assert.Equal("STATUS_SUCCEED", response.Status);
                        acknowledged[sent[response.MessageId]] = response.MessageId;
                    }

                    window.Release();
                    if (++acked >= wanted)
                    {
                        enough.TrySetResult();
                    }
                }
            }
            catch (RpcException)
            {
                // The silo was killed.
            }
        }, CancellationToken.None);

        try
        {
            for (bool first = true; !reading.IsCompleted; first = false)
            {
                if (!await window.WaitAsync(TimeSpan.FromMilliseconds(100), cancellationToken))
                {
                    continue;
                }

                long total = nextTotal();
                ulong messageId = (ulong)total + 1;
                lock (gate)
                {
                    sent[messageId] = total;
                }

                await call.RequestStream.WriteAsync(WriteSchemas.Point(first ? metadata : null, messageId, t0.AddMilliseconds(total), "entity-" + (total % 50), total), cancellationToken);
            }
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException or OperationCanceledException)
        {
            // Sending fails once the silo is gone.
        }

        await reading;
        enough.TrySetResult();
    }
}
