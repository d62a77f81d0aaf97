namespace Banyan.Api.Tests;

/// <summary>
/// Lists every difference between two <see cref="ApiShape"/>s that matters on the wire or in protobuf JSON,
/// phrased from the expected (upstream) side: "banyandb.property.v1.QueryOrder.sort: number is 2, upstream 12".
/// Fields are matched by name so that a renumbered field reads as such; enum values by name; RPCs by name.
/// HTTP bindings are not compared (Banyan's protos do not carry <c>google.api.http</c> options).
/// </summary>
public static class ApiShapeComparer
{
    /// <summary>All differences, messages first, then enums, then services, each in name order.</summary>
    public static IReadOnlyList<string> Differences(ApiShape upstream, ApiShape ours)
    {
        List<string> differences = [];
        CompareByName(upstream.Messages, ours.Messages, m => m.Name, "message", differences, CompareMessage);
        CompareByName(upstream.Enums, ours.Enums, e => e.Name, "enum", differences, CompareEnum);
        CompareByName(upstream.Services, ours.Services, s => s.Name, "service", differences, CompareService);
        return differences;
    }

    private static void CompareMessage(MessageShape upstream, MessageShape ours, List<string> differences)
    {
        Same(upstream.Name, "file", upstream.File, ours.File, differences);
        Same(upstream.Name, "oneofs", string.Join(", ", upstream.Oneofs), string.Join(", ", ours.Oneofs), differences);
        CompareByName(upstream.Fields, ours.Fields, f => f.Name, $"{upstream.Name}: field", differences, (expected, actual, list) =>
        {
            string where = $"{upstream.Name}.{expected.Name}";
            Same(where, "number", expected.Number, actual.Number, list);
            Same(where, "label", expected.Label, actual.Label, list);
            Same(where, "type", expected.Type, actual.Type, list);
            Same(where, "oneof", expected.Oneof ?? "(none)", actual.Oneof ?? "(none)", list);
            Same(where, "JSON name", expected.JsonName, actual.JsonName, list);
        });
    }

    private static void CompareEnum(EnumShape upstream, EnumShape ours, List<string> differences)
    {
        Same(upstream.Name, "file", upstream.File, ours.File, differences);
        CompareByName(upstream.Values, ours.Values, v => v.Name, $"{upstream.Name}: value", differences, (expected, actual, list) =>
            Same($"{upstream.Name}.{expected.Name}", "number", expected.Number, actual.Number, list));
    }

    private static void CompareService(ServiceShape upstream, ServiceShape ours, List<string> differences)
    {
        Same(upstream.Name, "file", upstream.File, ours.File, differences);
        CompareByName(upstream.Methods, ours.Methods, m => m.Name, $"{upstream.Name}: RPC", differences, (expected, actual, list) =>
        {
            string where = $"{upstream.Name}/{expected.Name}";
            Same(where, "request type", expected.InputType, actual.InputType, list);
            Same(where, "response type", expected.OutputType, actual.OutputType, list);
            Same(where, "client streaming", expected.ClientStreaming, actual.ClientStreaming, list);
            Same(where, "server streaming", expected.ServerStreaming, actual.ServerStreaming, list);
        });
    }

    private static void CompareByName<T>(
        IReadOnlyList<T> upstream,
        IReadOnlyList<T> ours,
        Func<T, string> name,
        string kind,
        List<string> differences,
        Action<T, T, List<string>> compare)
    {
        Dictionary<string, T> oursByName = ours.ToDictionary(name, StringComparer.Ordinal);
        HashSet<string> upstreamNames = new(StringComparer.Ordinal);
        foreach (T expected in upstream)
        {
            upstreamNames.Add(name(expected));
            if (oursByName.TryGetValue(name(expected), out T? actual))
            {
                compare(expected, actual, differences);
            }
            else
            {
                differences.Add($"{kind} {name(expected)} is missing (upstream declares it: {Describe(expected)})");
            }
        }

        foreach (T extra in ours)
        {
            if (!upstreamNames.Contains(name(extra)))
            {
                differences.Add($"{kind} {name(extra)} is not in upstream's API ({Describe(extra)})");
            }
        }
    }

    private static void Same<T>(string where, string what, T upstream, T ours, List<string> differences)
    {
        if (!EqualityComparer<T>.Default.Equals(upstream, ours))
        {
            differences.Add($"{where}: {what} is {ours}, upstream {upstream}");
        }
    }

    private static string Describe<T>(T item) => item switch
    {
        FieldShape f => $"{f.Label} {f.Type} = {f.Number}{(f.Oneof is null ? "" : $" in oneof {f.Oneof}")}",
        EnumValueShape v => $"= {v.Number}",
        MethodShape m => $"{(m.ClientStreaming ? "stream " : "")}{m.InputType} -> {(m.ServerStreaming ? "stream " : "")}{m.OutputType}",
        MessageShape m => $"in {m.File}, {m.Fields.Count} fields",
        EnumShape e => $"in {e.File}, {e.Values.Count} values",
        ServiceShape s => $"in {s.File}, {s.Methods.Count} RPCs",
        _ => item?.ToString() ?? "",
    };
}
