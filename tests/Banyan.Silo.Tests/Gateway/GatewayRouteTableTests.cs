using System.Text.Json;
using Banyan.Silo.Gateway;

namespace Banyan.Silo.Tests.Gateway;

/// <summary>
/// The gateway's route table against BanyanDB's <c>google.api.http</c> options, read from the checked-in snapshot of
/// upstream's API (<c>tests/Banyan.Api.Tests/upstream/banyandb-v1-api.json</c>, the source of docs/api.md's route table):
/// for every service the silo serves, every upstream binding is a route with the same method, path and body, and every
/// route but the NDJSON writes is an upstream binding.
/// </summary>
public sealed class GatewayRouteTableTests
{
    // The services the silo maps on its gRPC endpoint (SiloHost.Build).
    private static readonly string[] s_served =
    [
        "banyandb.common.v1.Service",
        "banyandb.database.v1.GroupRegistryService",
        "banyandb.database.v1.StreamRegistryService",
        "banyandb.database.v1.MeasureRegistryService",
        "banyandb.database.v1.IndexRuleRegistryService",
        "banyandb.database.v1.IndexRuleBindingRegistryService",
        "banyandb.database.v1.TopNAggregationRegistryService",
        "banyandb.stream.v1.StreamService",
        "banyandb.measure.v1.MeasureService",
    ];

    [Fact]
    public void Every_upstream_binding_of_a_served_service_is_a_route_and_nothing_else_but_the_writes_is()
    {
        using JsonDocument snapshot = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "upstream", "banyandb-v1-api.json")));
        List<string> upstream = [];
        foreach (JsonElement service in snapshot.RootElement.GetProperty("services").EnumerateArray())
        {
            string name = service.GetProperty("name").GetString()!;
            if (!s_served.Contains(name))
            {
                continue;
            }

            foreach (JsonElement method in service.GetProperty("methods").EnumerateArray())
            {
                foreach (JsonElement http in method.GetProperty("http").EnumerateArray())
                {
                    upstream.Add($"{http.GetProperty("method").GetString()} {GatewayRoutes.Prefix}{http.GetProperty("path").GetString()} body={http.GetProperty("body").GetString()} -> /{name}/{method.GetProperty("name").GetString()}");
                }
            }
        }

        // common 1, group 7, five registries 5 each, stream Query, measure Query and TopN.
        Assert.Equal(36, upstream.Count);
        List<string> routes = [.. GatewayRoutes.All.Select(r => $"{r.HttpMethod} {GatewayRoutes.Prefix}{r.Path} body={r.Body} -> {r.FullMethodName}")];
        Assert.Equal(upstream.Order(StringComparer.Ordinal), routes.Take(upstream.Count).Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                "POST /api/v1/stream/write body=* -> /banyandb.stream.v1.StreamService/Write",
                "POST /api/v1/measure/write body=* -> /banyandb.measure.v1.MeasureService/Write",
            ],
            routes.Skip(upstream.Count));
    }

    [Fact]
    public void Route_templates_name_their_path_fields_and_no_two_routes_take_the_same_request()
    {
        GatewayRoute update = GatewayRoutes.All.Single(r => r.FullMethodName == "/banyandb.database.v1.StreamRegistryService/Update");
        Assert.Equal("/api/v1/stream/schema/{p0}/{p1}", update.Template);
        Assert.Equal(["stream.metadata.group", "stream.metadata.name"], update.PathFields);
        Assert.True(update.Matches("/api/v1/stream/schema/g/sw"));
        Assert.False(update.Matches("/api/v1/stream/schema/g"));
        Assert.False(update.Matches("/api/v1/measure/schema/g/sw"));

        Assert.Equal(GatewayRoutes.All.Count, GatewayRoutes.All.Select(r => (r.HttpMethod, r.Template)).Distinct().Count());
    }
}
