using System.Text.Json.Nodes;

namespace Banyan.Cli.Input;

/// <summary>
/// One document of an input file (a YAML document, a JSON value, or one element of a top-level JSON array) as a JSON
/// tree, with where it came from, so that any error about it can name the file and line.
/// </summary>
/// <param name="Source">The file as shown in messages (<c>&lt;stdin&gt;</c> for <c>-f -</c>).</param>
/// <param name="Line">The 1-based line where the document starts.</param>
/// <param name="Index">The 1-based position of the document in its file.</param>
/// <param name="Node">The document's content.</param>
/// <param name="TokenLines">
/// The first line of each mapping key and scalar in the document (YAML only; empty for JSON), used to point an error
/// that names a field or a value at its line rather than at the document's start.
/// </param>
public sealed record InputDocument(string Source, long Line, int Index, JsonNode? Node, IReadOnlyDictionary<string, long> TokenLines)
{
    /// <summary>The line of <paramref name="token"/> (a key or a scalar) in this document, or the document's first line.</summary>
    public long LineOf(string? token) =>
        token is not null && TokenLines.TryGetValue(token, out long line) ? line : Line;

    /// <summary>An error about this document, naming its file and line.</summary>
    public InputFileException Error(string reason, string? token = null) => new(Source, LineOf(token), reason);
}
