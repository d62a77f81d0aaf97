using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// The host cuts a write stream into many grain calls (here at most 7 messages each, many in flight at once) and still
/// answers every message exactly once, in message order, with its own status; every accepted point is stored.
/// </summary>
public sealed class WriteBatchingTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(1000)]
    public async Task Responses_come_one_per_message_in_order_when_batches_are_cut(int maxMessages)
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync($"--Silo:WriteBatching:MaxMessages={maxMessages}", "--Silo:WriteBatching:MaxInFlight=4");
        const string group = "w-batching";
        RegistryClients registry = new(host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure, shards: 3));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        Metadata metadata = ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;

        const int count = 2_500;
        DateTimeOffset start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).AddHours(-1);
        List<MeasureV1.WriteRequest> requests = [];
        for (int i = 0; i < count; i++)
        {
            MeasureV1.WriteRequest request = WriteSchemas.Point(i % 500 == 0 ? metadata : null, (ulong)(i + 1), start.AddMilliseconds(i), "e" + (i % 40), i);
            if (i % 97 == 13)
            {
                request.DataPoint.Timestamp = new Timestamp { Seconds = request.DataPoint.Timestamp.Seconds, Nanos = request.DataPoint.Timestamp.Nanos + 1 };
            }

            requests.Add(request);
        }

        List<MeasureV1.WriteResponse> responses = await WriteExchange.MeasureAsync(host.Channel, requests);

        Assert.Equal(count, responses.Count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal((ulong)(i + 1), responses[i].MessageId);
            Assert.Equal(i % 97 == 13 ? "STATUS_INVALID_TIMESTAMP" : "STATUS_SUCCEED", responses[i].Status);
        }

        List<StoredRow> rows = await StoredRows.ReadAsync(host.Grains(), group, "cpm");
        Assert.Equal(Enumerable.Range(0, count).Where(i => i % 97 != 13).Select(i => (long)i), rows.Select(r => (long)r[null, "total"]!).Order());
    }
}
