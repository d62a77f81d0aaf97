using System.Globalization;
using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Data;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests;

/// <summary><c>GET /metrics</c> answers Prometheus text, and a write and a query move the counters they should.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task A_write_and_a_query_move_their_counters()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        using HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        RegistryClients registry = new(host.Channel);
        await registry.Groups.CreateAsync(new GroupRegistryServiceCreateRequest { Group = WriteSchemas.Group("metrics_g", Banyan.Api.Common.V1.Catalog.Measure) }, deadline: RegistryClients.Deadline);
        await registry.Measures.CreateAsync(new MeasureRegistryServiceCreateRequest { Measure = WriteSchemas.Measure("metrics_g") }, deadline: RegistryClients.Deadline);

        string before = await ScrapeAsync(http);
        Assert.True(Sum(before, "banyan_shard_memory_budget_limit_bytes", string.Empty) > 0, "the silo's memory budget is reported from its start, before a shard opens");
        Metadata metadata = new() { Group = "metrics_g", Name = "cpm" };
        DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        List<MeasureV1.WriteResponse> written = await WriteExchange.MeasureAsync(host.Channel, [WriteSchemas.Point(metadata, 1, now, "e1", 7), WriteSchemas.Point(null, 2, now.AddSeconds(1), "e2", 8)]);
        Assert.All(written, r => Assert.Equal("STATUS_SUCCEED", r.Status));
        MeasureV1.QueryResponse answer = await new MeasureV1.MeasureService.MeasureServiceClient(host.Channel).QueryAsync(new MeasureV1.QueryRequest
        {
            Groups = { "metrics_g" },
            Name = "cpm",
            TimeRange = new Banyan.Api.Model.V1.TimeRange { Begin = Timestamp.FromDateTimeOffset(now.AddMinutes(-1)), End = Timestamp.FromDateTimeOffset(now.AddMinutes(1)) },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
        }, deadline: RegistryClients.Deadline);
        Assert.Equal(2, answer.DataPoints.Count);
        string after = await ScrapeAsync(http);

        Assert.Equal(2, Sum(after, "banyan_write_elements_stored_total", "group=\"metrics_g\"") - Sum(before, "banyan_write_elements_stored_total", "group=\"metrics_g\""));
        Assert.True(Sum(after, "banyan_query_requests_total", "kind=\"measure\"") - Sum(before, "banyan_query_requests_total", "kind=\"measure\"") >= 1, "the query is counted");
        Assert.True(Sum(after, "banyan_query_duration_seconds_count", "kind=\"measure\"") > Sum(before, "banyan_query_duration_seconds_count", "kind=\"measure\""), "the query's latency is recorded");
        Assert.True(Sum(after, "banyan_query_shard_reads_total", "path=\"local\"") > Sum(before, "banyan_query_shard_reads_total", "path=\"local\""), "a lone silo reads its own shards without grain calls");
        Assert.True(Sum(after, "banyan_wal_bytes_total", string.Empty) > Sum(before, "banyan_wal_bytes_total", string.Empty), "WAL bytes moved");
        Assert.True(Sum(after, "banyan_wal_fsync_duration_seconds_count", string.Empty) > Sum(before, "banyan_wal_fsync_duration_seconds_count", string.Empty), "fsyncs are timed");
        Assert.Contains("# TYPE banyan_query_duration_seconds histogram", after, StringComparison.Ordinal);
        Assert.Contains("banyan_shard_memory_bytes{", after, StringComparison.Ordinal);
        Assert.Contains("# TYPE banyan_block_cache_size_bytes gauge", after, StringComparison.Ordinal);
        Assert.True(Sum(after, "banyan_shard_memory_budget_limit_bytes", string.Empty) > 0, "the silo's memory budget is reported");
        Assert.Contains("# TYPE banyan_shard_memory_budget_held_bytes gauge", after, StringComparison.Ordinal);
        Assert.Contains("# TYPE banyan_block_cache_lookups_total counter", after, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType ?? string.Empty, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }

    // The sum of the samples of one metric whose labels contain the given text (every sample when empty); 0 when absent.
    private static double Sum(string exposition, string metric, string label)
    {
        double sum = 0;
        foreach (string line in exposition.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal)) || !line.Contains(label, StringComparison.Ordinal))
            {
                continue;
            }

            string value = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0];
            sum += double.Parse(value, CultureInfo.InvariantCulture);
        }

        return sum;
    }
}
