using System.Text.RegularExpressions;
using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Data;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests;

/// <summary>The README's first session works as written: its JSON requests, sent to a real silo, create the group and the measure, its example error is what the silo answers, and its queries answer over gRPC and HTTP alike.</summary>
public sealed partial class ReadmeFirstSessionTests
{
    [Fact]
    public async Task The_readme_requests_create_the_group_and_the_measure()
    {
        string readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"));
        Dictionary<string, string> requests = FirstSessionBlocks().Matches(readme).ToDictionary(m => m.Groups["rpc"].Value, m => m.Groups["json"].Value);
        Assert.Equal(["GroupRegistryService/Create", "MeasureRegistryService/Create", "MeasureService/Query", "MeasureService/Query:mean", "MeasureService/Write"], requests.Keys.Order(StringComparer.Ordinal));
        GroupRegistryServiceCreateRequest group = JsonParser.Default.Parse<GroupRegistryServiceCreateRequest>(requests["GroupRegistryService/Create"]);
        MeasureRegistryServiceCreateRequest measure = JsonParser.Default.Parse<MeasureRegistryServiceCreateRequest>(requests["MeasureRegistryService/Create"]);

        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        RegistryClients registry = new(host.Channel);
        Assert.Equal(1, (await registry.Groups.CreateAsync(group, deadline: RegistryClients.Deadline)).ModRevision);
        Assert.Equal(2, (await registry.Measures.CreateAsync(measure, deadline: RegistryClients.Deadline)).ModRevision);
        MeasureRegistryServiceGetResponse stored = await registry.Measures.GetAsync(
            new MeasureRegistryServiceGetRequest { Metadata = new Metadata { Group = "sw_metric", Name = "service_cpm_minute" } },
            deadline: RegistryClients.Deadline);
        Assert.Equal(2, stored.Measure.Metadata.CreateRevision);
        Assert.NotNull(stored.Measure.UpdatedAt);
        Assert.NotNull(stored.Measure.CreatedAt);

        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => registry.Measures.CreateAsync(measure, deadline: RegistryClients.Deadline).ResponseAsync)).StatusCode);
        MeasureRegistryServiceCreateRequest bad = measure.Clone();
        bad.Measure.Metadata.Name = "bad";
        bad.Measure.Entity.TagNames[0] = "service_id";
        RpcException invalid = await Assert.ThrowsAsync<RpcException>(() => registry.Measures.CreateAsync(bad, deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains($"`{invalid.Status.Detail}`", readme, StringComparison.Ordinal);

        // The write step, with today's date as the README's sed line puts it: both points acknowledged, in order, and stored.
        string today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        List<MeasureV1.WriteRequest> points = [.. JsonValues(requests["MeasureService/Write"].Replace("2026-12-01", today, StringComparison.Ordinal)).Select(JsonParser.Default.Parse<MeasureV1.WriteRequest>)];
        Assert.Equal(2, points.Count);
        Assert.Null(points[1].Metadata);
        List<MeasureV1.WriteResponse> responses = await WriteExchange.MeasureAsync(host.Channel, points);
        Assert.Equal([(1UL, "STATUS_SUCCEED"), (2UL, "STATUS_SUCCEED")], responses.Select(r => (r.MessageId, r.Status)));
        List<StoredRow> rows = await StoredRows.ReadAsync(host.Grains(), "sw_metric", "service_cpm_minute");
        Assert.Equal([120L, 130L], rows.Select(r => (long)r[null, "total"]!));
        Assert.Contains("STATUS_INVALID_TIMESTAMP", readme, StringComparison.Ordinal);

        // The query steps, with today's date: the two points newest first, then the mean per service.
        MeasureV1.MeasureService.MeasureServiceClient measures = new(host.Channel);
        MeasureV1.QueryRequest query = JsonParser.Default.Parse<MeasureV1.QueryRequest>(requests["MeasureService/Query"].Replace("2026-12-01", today, StringComparison.Ordinal));
        MeasureV1.QueryResponse answer = await measures.QueryAsync(query, deadline: RegistryClients.Deadline);
        Assert.Equal([130L, 120L], answer.DataPoints.Select(p => p.Fields.Single(f => f.Name == "total").Value.Int.Value));
        Assert.All(answer.DataPoints, p => Assert.Equal(["svc-1", "entity-1"], p.TagFamilies.Single().Tags.Select(t => t.Value.Str.Value)));
        Assert.All(answer.DataPoints, p => Assert.True(p.Sid > 0 && p.Version > 0, "a point carries its series id and version"));
        Assert.Contains("`10:01` (`total` 130) then `10:00` (`total` 120)", readme, StringComparison.Ordinal);

        // The same query over HTTP, as the README's curl line sends it: the same answer.
        const string CurlLine = "| curl -s --data-binary @- http://127.0.0.1:17913/api/v1/measure/data";
        Assert.Contains(CurlLine, readme, StringComparison.Ordinal);
        using (HttpClient http = new() { Timeout = TimeSpan.FromSeconds(60) })
        {
            string url = CurlLine[CurlLine.IndexOf("http://", StringComparison.Ordinal)..].Replace(":17913", $":{host.HttpPort}", StringComparison.Ordinal);
            using StringContent body = new(requests["MeasureService/Query"].Replace("2026-12-01", today, StringComparison.Ordinal));
            using HttpResponseMessage overHttp = await http.PostAsync(new Uri(url), body);
            Assert.Equal(System.Net.HttpStatusCode.OK, overHttp.StatusCode);
            Assert.Equal(answer, JsonParser.Default.Parse<MeasureV1.QueryResponse>(await overHttp.Content.ReadAsStringAsync()));
        }

        MeasureV1.QueryRequest mean = JsonParser.Default.Parse<MeasureV1.QueryRequest>(requests["MeasureService/Query:mean"].Replace("2026-12-01", today, StringComparison.Ordinal));
        MeasureV1.DataPoint grouped = Assert.Single((await measures.QueryAsync(mean, deadline: RegistryClients.Deadline)).DataPoints);
        Assert.Equal("svc-1", grouped.TagFamilies.Single().Tags.Single().Value.Str.Value);
        Assert.Equal(125L, grouped.Fields.Single(f => f.Name == "total").Value.Int.Value);
        Assert.Contains("`id` `svc-1`, `total` 125", readme, StringComparison.Ordinal);
    }

    // The JSON values of a text holding several, one after the other (as grpcurl reads a stream's messages).
    private static List<string> JsonValues(string text)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        List<string> values = [];
        System.Text.Json.Utf8JsonReader reader = new(utf8, new System.Text.Json.JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            long start = reader.TokenStartIndex;
            reader.Skip();
            values.Add(System.Text.Encoding.UTF8.GetString(utf8, (int)start, (int)(reader.BytesConsumed - start)));
        }

        return values;
    }

    private static string RepositoryRoot()
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Banyan.Orleans.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"No directory above {AppContext.BaseDirectory} holds Banyan.Orleans.sln.");
    }

    [GeneratedRegex(@"<!-- first-session: (?<rpc>\S+) -->\s*```json\n(?<json>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstSessionBlocks();
}
