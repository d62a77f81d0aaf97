namespace Banyan.Api.Tests;

/// <summary>
/// docs/api.md lists every RPC with upstream's HTTP route (the future HTTP gateway is built from it). The table is
/// generated from the snapshot; this keeps the docs from drifting from it.
/// </summary>
public sealed class RpcRouteTableTests
{
    [Fact]
    public void Docs_route_table_is_the_rendering_of_the_snapshot()
    {
        string docs = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "api.md")).ReplaceLineEndings("\n");

        Assert.Equal(RpcRouteTable.Render(UpstreamApiSnapshot.CheckedIn.Api), RpcRouteTable.Extract(docs));
    }

    [Fact]
    public void Table_has_a_row_per_rpc_and_binding()
    {
        ApiShape api = UpstreamApiSnapshot.CheckedIn.Api;
        string[] rows = RpcRouteTable.Render(api).Split('\n', StringSplitOptions.RemoveEmptyEntries)[2..];

        int expected = api.Services.Sum(s => s.Methods.Sum(m => Math.Max(1, m.Http.Count)));
        Assert.Equal(expected, rows.Length);
        Assert.Contains("| `banyandb.common.v1.Service` | `GetAPIVersion` | `common.v1.GetAPIVersionRequest` → `common.v1.GetAPIVersionResponse` | unary | GET | `/v1/common/api/version` | - |", rows);
        Assert.Contains("| `banyandb.measure.v1.MeasureService` | `Write` | `measure.v1.WriteRequest` → `measure.v1.WriteResponse` | bidi | - | - | - |", rows);
        Assert.Contains("| `banyandb.database.v1.SnapshotService` | `Snapshot` | `database.v1.SnapshotRequest` → `database.v1.SnapshotResponse` | unary | POST | `/v1/snapshot` | `*` |", rows);
    }
}
