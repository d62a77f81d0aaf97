namespace Banyan.Api.Tests;

/// <summary>
/// Banyan's compiled protos against BanyanDB's published v1 API (the checked-in snapshot, see
/// upstream/README.md): every message, field (name, number, label, type, oneof, JSON name), enum value and RPC
/// (types and streaming) of each served package must be identical, with nothing missing and nothing extra.
/// Protobuf JSON carries no field numbers, so this is what keeps binary gRPC clients (SkyWalking OAP's Java
/// client, bydbctl, the Go client) compatible.
/// </summary>
public sealed class UpstreamApiShapeTests
{
    private static UpstreamApiSnapshot Upstream => UpstreamApiSnapshot.CheckedIn;

    public static TheoryData<string> Packages() => [.. Upstream.Source.Packages];

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_matches_BanyanDB(string package)
    {
        IReadOnlyList<string> differences = ApiShapeComparer.Differences(
            InPackage(Upstream.Api, package),
            ApiTypes.Shape([package]));

        Assert.True(
            differences.Count == 0,
            $"{package} differs from BanyanDB's API at {Upstream.Source.Commit} in {differences.Count} place(s). " +
            $"First: {(differences.Count > 0 ? differences[0] : "")}\nAll:\n  {string.Join("\n  ", differences)}");
    }

    [Fact]
    public void Banyan_api_compiles_exactly_the_served_packages()
    {
        SortedSet<string> ours = new(ApiTypes.Files.Select(f => f.Package), StringComparer.Ordinal);

        Assert.Equal(new SortedSet<string>(Upstream.Source.Packages, StringComparer.Ordinal), ours);
    }

    [Fact]
    public void Snapshot_holds_the_numbers_issue_12_found_broken()
    {
        // A sanity check of the checked-in file itself: a regeneration that lost these would be wrong.
        Assert.Equal(("singular", "banyandb.model.v1.Sort", 12), Field("banyandb.property.v1.QueryOrder", "sort"));
        Assert.Equal(("repeated", "banyandb.database.v1.Property", 1), Field("banyandb.database.v1.PropertyRegistryServiceListResponse", "properties"));
        Assert.Equal(("optional", "banyandb.common.v1.TracePipelineConfig", 6), Field("banyandb.common.v1.Group", "pipeline"));
        Assert.Equal(("map", "map<string, int64>", 50), Field("banyandb.stream.v1.QueryRequest", "group_mod_revisions"));
        Assert.Equal(("map", "map<string, banyandb.model.v1.Status>", 50), Field("banyandb.stream.v1.QueryResponse", "group_statuses"));
        Assert.Equal(("map", "map<string, int64>", 50), Field("banyandb.trace.v1.QueryRequest", "group_mod_revisions"));
        Assert.Equal(("map", "map<string, banyandb.model.v1.Status>", 50), Field("banyandb.trace.v1.QueryResponse", "group_statuses"));
        Assert.Equal(7, Upstream.Source.Packages.Count);
    }

    [Fact]
    public void Comparer_names_renumbered_retyped_missing_and_extra_elements()
    {
        ApiShape upstream = InPackage(Upstream.Api, "banyandb.property.v1");
        MessageShape order = upstream.Messages.Single(m => m.Name == "banyandb.property.v1.QueryOrder");
        MessageShape renumbered = order with
        {
            Fields = [.. order.Fields.Select(f => f.Name == "sort" ? f with { Number = 2 } : f with { JsonName = f.JsonName + "X" })],
        };
        ServiceShape service = upstream.Services.Single(s => s.Name == "banyandb.property.v1.PropertyService");
        ServiceShape withExtraRpc = service with
        {
            Methods = [.. service.Methods, service.Methods[0] with { Name = "Extra", ServerStreaming = true }],
        };
        ApiShape mutated = upstream with
        {
            Messages = [.. upstream.Messages.Where(m => m.Name is not "banyandb.property.v1.DeleteResponse").Select(m => m == order ? renumbered : m)],
            Services = [.. upstream.Services.Select(s => s == service ? withExtraRpc : s)],
        };

        IReadOnlyList<string> differences = ApiShapeComparer.Differences(upstream, mutated);

        Assert.Equal(
            [
                "message banyandb.property.v1.DeleteResponse is missing (upstream declares it: in banyandb/property/v1/rpc.proto, 1 fields)",
                "banyandb.property.v1.QueryOrder.tag_name: JSON name is tagNameX, upstream tagName",
                "banyandb.property.v1.QueryOrder.sort: number is 2, upstream 12",
                "banyandb.property.v1.PropertyService: RPC Extra is not in upstream's API (banyandb.property.v1.ApplyRequest -> stream banyandb.property.v1.ApplyResponse)",
            ],
            differences);
    }

    private static (string Label, string Type, int Number) Field(string message, string field)
    {
        FieldShape shape = Upstream.Api.Messages.Single(m => m.Name == message).Fields.Single(f => f.Name == field);
        return (shape.Label, shape.Type, shape.Number);
    }

    private static ApiShape InPackage(ApiShape api, string package)
    {
        string prefix = package + ".";
        return new ApiShape(
            [.. api.Messages.Where(m => m.Name.StartsWith(prefix, StringComparison.Ordinal))],
            [.. api.Enums.Where(e => e.Name.StartsWith(prefix, StringComparison.Ordinal))],
            [.. api.Services.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal))]);
    }
}
