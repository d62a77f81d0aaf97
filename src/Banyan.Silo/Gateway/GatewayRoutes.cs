using Banyan.Api;
using Banyan.Silo.Data;
using Banyan.Silo.Registry;
using Grpc.Core;

namespace Banyan.Silo.Gateway;

/// <summary>
/// BanyanDB's HTTP gateway on the silo's HTTP endpoint: every route BanyanDB's grpc-gateway mounts under <c>/api</c> for
/// the services this silo serves, with the method, path and body of upstream's <c>google.api.http</c> options
/// (<c>api/proto/banyandb/*/v1/rpc.proto</c>), plus NDJSON writes, which BanyanDB has over gRPC only. Each route calls
/// the same service class as the gRPC endpoint. JSON rules: <see cref="GatewayCodec"/>; errors: <see cref="GatewayErrors"/>.
/// </summary>
public static class GatewayRoutes
{
    /// <summary>Where BanyanDB mounts its gateway (<c>banyand/liaison/http/server.go</c>).</summary>
    public const string Prefix = "/api";

    /// <summary>Every route, upstream's first, in upstream's service and declaration order.</summary>
    internal static IReadOnlyList<GatewayRoute> All { get; } =
    [
        Route<ApiVersionService>("GET", "/v1/common/api/version", "", "GetAPIVersion"),

        Route<GroupRegistryService>("POST", "/v1/group/schema", "*", "Create"),
        Route<GroupRegistryService>("PUT", "/v1/group/schema/{group.metadata.name}", "*", "Update"),
        Route<GroupRegistryService>("DELETE", "/v1/group/schema/{group}", "", "Delete"),
        Route<GroupRegistryService>("GET", "/v1/group/schema/{group}", "", "Get"),
        Route<GroupRegistryService>("GET", "/v1/group/schema/lists", "", "List"),
        Route<GroupRegistryService>("GET", "/v1/group/content/{group}", "", "Inspect"),
        Route<GroupRegistryService>("GET", "/v1/group/task/{group}", "", "Query"),

        Route<StreamRegistryService>("POST", "/v1/stream/schema", "*", "Create"),
        Route<StreamRegistryService>("PUT", "/v1/stream/schema/{stream.metadata.group}/{stream.metadata.name}", "*", "Update"),
        Route<StreamRegistryService>("DELETE", "/v1/stream/schema/{metadata.group}/{metadata.name}", "", "Delete"),
        Route<StreamRegistryService>("GET", "/v1/stream/schema/{metadata.group}/{metadata.name}", "", "Get"),
        Route<StreamRegistryService>("GET", "/v1/stream/schema/lists/{group}", "", "List"),

        Route<MeasureRegistryService>("POST", "/v1/measure/schema", "*", "Create"),
        Route<MeasureRegistryService>("PUT", "/v1/measure/schema/{measure.metadata.group}/{measure.metadata.name}", "*", "Update"),
        Route<MeasureRegistryService>("DELETE", "/v1/measure/schema/{metadata.group}/{metadata.name}", "", "Delete"),
        Route<MeasureRegistryService>("GET", "/v1/measure/schema/{metadata.group}/{metadata.name}", "", "Get"),
        Route<MeasureRegistryService>("GET", "/v1/measure/schema/lists/{group}", "", "List"),

        Route<IndexRuleRegistryService>("POST", "/v1/index-rule/schema", "*", "Create"),
        Route<IndexRuleRegistryService>("PUT", "/v1/index-rule/schema/{index_rule.metadata.group}/{index_rule.metadata.name}", "*", "Update"),
        Route<IndexRuleRegistryService>("DELETE", "/v1/index-rule/schema/{metadata.group}/{metadata.name}", "", "Delete"),
        Route<IndexRuleRegistryService>("GET", "/v1/index-rule/schema/{metadata.group}/{metadata.name}", "", "Get"),
        Route<IndexRuleRegistryService>("GET", "/v1/index-rule/schema/lists/{group}", "", "List"),

        Route<IndexRuleBindingRegistryService>("POST", "/v1/index-rule-binding/schema", "*", "Create"),
        Route<IndexRuleBindingRegistryService>("PUT", "/v1/index-rule-binding/schema/{index_rule_binding.metadata.group}/{index_rule_binding.metadata.name}", "*", "Update"),
        Route<IndexRuleBindingRegistryService>("DELETE", "/v1/index-rule-binding/schema/{metadata.group}/{metadata.name}", "", "Delete"),
        Route<IndexRuleBindingRegistryService>("GET", "/v1/index-rule-binding/schema/{metadata.group}/{metadata.name}", "", "Get"),
        Route<IndexRuleBindingRegistryService>("GET", "/v1/index-rule-binding/schema/lists/{group}", "", "List"),

        Route<TopNAggregationRegistryService>("POST", "/v1/topn-agg/schema", "*", "Create"),
        Route<TopNAggregationRegistryService>("PUT", "/v1/topn-agg/schema/{top_n_aggregation.metadata.group}/{top_n_aggregation.metadata.name}", "*", "Update"),
        Route<TopNAggregationRegistryService>("DELETE", "/v1/topn-agg/schema/{metadata.group}/{metadata.name}", "", "Delete"),
        Route<TopNAggregationRegistryService>("GET", "/v1/topn-agg/schema/{metadata.group}/{metadata.name}", "", "Get"),
        Route<TopNAggregationRegistryService>("GET", "/v1/topn-agg/schema/lists/{group}", "", "List"),

        Route<StreamDataService>("POST", "/v1/stream/data", "*", "Query"),
        Route<MeasureDataService>("POST", "/v1/measure/data", "*", "Query"),
        Route<MeasureDataService>("POST", "/v1/measure/topn", "*", "TopN"),

        // Beyond BanyanDB: the bidirectional writes, one JSON WriteRequest per line in, one WriteResponse per line out.
        Route<StreamDataService>("POST", "/v1/stream/write", "*", "Write"),
        Route<MeasureDataService>("POST", "/v1/measure/write", "*", "Write"),
    ];

    /// <summary>
    /// Maps every route, and answers any other path under <c>/api</c> as grpc-gateway does: a path no route has is
    /// NOT_FOUND (404), a route's path with another method UNIMPLEMENTED (501, "Method Not Allowed").
    /// </summary>
    public static IEndpointRouteBuilder MapBanyanGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        GatewayContext gateway = GatewayContext.From(endpoints.ServiceProvider);
        foreach (GatewayRoute route in All)
        {
            // HEAD on a GET route answers its status without the body: upstream's API tells HTTP clients to check
            // existence that way ("Exist doesn't expose an HTTP endpoint. Please use HEAD method to touch Get instead").
            string[] methods = route.HttpMethod == "GET" ? ["GET", "HEAD"] : [route.HttpMethod];
            endpoints.MapMethods(route.Template, methods, http => route.HandleAsync(http, gateway))
                .WithDisplayName($"{route.HttpMethod} {Prefix}{route.Path} → {route.FullMethodName}");
        }

        endpoints.Map(Prefix + "/{**rest}", http =>
        {
            string path = http.Request.Path.Value ?? string.Empty;
            Status status = All.Any(r => r.Matches(path))
                ? new Status(StatusCode.Unimplemented, "Method Not Allowed")
                : new Status(StatusCode.NotFound, "Not Found");
            return GatewayErrors.WriteStatusAsync(http.Response, status, GatewayErrors.HttpStatusOf(status.StatusCode));
        });
        return endpoints;
    }

    private static GatewayRoute Route<TService>(string httpMethod, string path, string body, string rpc) =>
        GatewayRoute.Create(typeof(TService), httpMethod, path, body, rpc);
}
