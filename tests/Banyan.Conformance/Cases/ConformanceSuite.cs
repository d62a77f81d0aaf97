using Google.Protobuf.Reflection;

namespace Banyan.Conformance.Cases;

/// <summary>One suite of <c>cases.json</c>: its message types, file locations, comparison settings and cases.</summary>
public sealed record ConformanceSuite
{
    /// <summary>The suite name: <c>stream</c>, <c>measure</c>, <c>topn</c>, <c>trace</c> or <c>property</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The query request message (e.g. <c>banyandb.stream.v1.QueryRequest</c>).</summary>
    public required MessageDescriptor RequestType { get; init; }

    /// <summary>The query response message.</summary>
    public required MessageDescriptor ResponseType { get; init; }

    /// <summary>The RPC the suite calls, as named in <c>cases.json</c> (e.g. <c>StreamService.Query</c>).</summary>
    public required string Rpc { get; init; }

    /// <summary>Folder of the input files, relative to the conformance root.</summary>
    public required string InputDir { get; init; }

    /// <summary>Folder of the want files, relative to the conformance root.</summary>
    public required string WantDir { get; init; }

    /// <summary>Extension of input and want files, without the dot (<c>yaml</c>, or <c>yml</c> for trace).</summary>
    public required string FileExtension { get; init; }

    /// <summary>Fields left out of every comparison, as <c>Message.field</c> in the response's package.</summary>
    public required IReadOnlyList<string> IgnoreFields { get; init; }

    /// <summary>The number of cases <c>cases.json</c> declares for the suite (checked against the rows).</summary>
    public required int DeclaredCount { get; init; }

    /// <summary>The cases in upstream table order.</summary>
    public required IReadOnlyList<ConformanceCase> Cases { get; init; }

    /// <summary>The input file of <paramref name="conformanceCase"/>, relative to the conformance root.</summary>
    public string InputPath(ConformanceCase conformanceCase) => $"{InputDir}/{conformanceCase.Input}.{FileExtension}";

    /// <summary>The want file of <paramref name="conformanceCase"/>, relative to the conformance root.</summary>
    public string WantPath(ConformanceCase conformanceCase) => $"{WantDir}/{conformanceCase.Want}.{FileExtension}";

    /// <summary>Returns the case named <paramref name="name"/>; throws when the suite has none.</summary>
    public ConformanceCase Get(string name) =>
        Cases.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"Suite '{Name}' has no case named '{name}'.");
}
