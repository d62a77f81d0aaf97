using System.Text;

namespace Banyan.Api.Tests;

/// <summary>
/// Renders the RPC / HTTP route table of docs/api.md from an <see cref="ApiShape"/>: one row per RPC and HTTP
/// binding (an RPC without a binding gets one row with "-"), in service then declaration order. The snapshot
/// generator writes the table into the docs between <see cref="BeginMarker"/> and <see cref="EndMarker"/>, and a
/// test checks that the docs still hold exactly this rendering of the checked-in snapshot.
/// </summary>
public static class RpcRouteTable
{
    /// <summary>Line that opens the generated table in docs/api.md.</summary>
    public const string BeginMarker = "<!-- BEGIN rpc-route-table (generated from tests/Banyan.Api.Tests/upstream/banyandb-v1-api.json) -->";

    /// <summary>Line that closes the generated table in docs/api.md.</summary>
    public const string EndMarker = "<!-- END rpc-route-table -->";

    /// <summary>The markdown table (header included), LF line ends, no markers.</summary>
    public static string Render(ApiShape api)
    {
        StringBuilder table = new();
        table.Append("| service | RPC | request → response | streaming | HTTP | path template | body |\n");
        table.Append("| --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (ServiceShape service in api.Services)
        {
            foreach (MethodShape method in service.Methods)
            {
                string streaming = (method.ClientStreaming, method.ServerStreaming) switch
                {
                    (true, true) => "bidi",
                    (true, false) => "client",
                    (false, true) => "server",
                    _ => "unary",
                };
                string types = $"`{Short(method.InputType)}` → `{Short(method.OutputType)}`";
                string prefix = $"| `{service.Name}` | `{method.Name}` | {types} | {streaming} |";
                if (method.Http.Count == 0)
                {
                    table.Append(prefix).Append(" - | - | - |\n");
                    continue;
                }

                foreach (HttpRoute route in method.Http)
                {
                    string body = route.Body.Length == 0 ? "-" : $"`{route.Body}`";
                    table.Append(prefix).Append($" {route.Method} | `{route.Path}` | {body} |\n");
                }
            }
        }

        return table.ToString();
    }

    /// <summary>Returns <paramref name="document"/> with the text between the markers replaced by <paramref name="table"/>.</summary>
    public static string ReplaceIn(string document, string table)
    {
        (int start, int end) = Locate(document);
        return string.Concat(document.AsSpan(0, start), table, document.AsSpan(end));
    }

    /// <summary>The text between the markers of <paramref name="document"/> (the rendered table when up to date).</summary>
    public static string Extract(string document)
    {
        (int start, int end) = Locate(document);
        return document[start..end];
    }

    private static (int Start, int End) Locate(string document)
    {
        int begin = document.IndexOf(BeginMarker, StringComparison.Ordinal);
        int end = document.IndexOf(EndMarker, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            throw new InvalidDataException($"docs/api.md lacks the lines '{BeginMarker}' ... '{EndMarker}'.");
        }

        return (begin + BeginMarker.Length + 1, end);
    }

    // Every type of the API starts with "banyandb."; dropping it keeps the table narrow and the name unambiguous.
    private static string Short(string fullName) =>
        fullName.StartsWith("banyandb.", StringComparison.Ordinal) ? fullName["banyandb.".Length..] : fullName;
}
