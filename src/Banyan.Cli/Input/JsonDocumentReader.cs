using System.Text.Json;
using System.Text.Json.Nodes;

namespace Banyan.Cli.Input;

/// <summary>
/// Reads the documents of a JSON file: one value, several values one after another (JSON lines among them), and each
/// element of a top-level array as a document of its own. Used for schema and query files, which are small; bulk
/// writes read JSON lines one line at a time instead (<see cref="Write.JsonLinesRowSource"/>).
/// </summary>
public static class JsonDocumentReader
{
    private static readonly JsonReaderOptions s_options = new()
    {
        AllowMultipleValues = true,
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly Dictionary<string, long> s_noTokens = [];

    /// <summary>Every document of <paramref name="utf8"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InputFileException">The text is not JSON; the message has the line.</exception>
    public static IReadOnlyList<InputDocument> ReadAll(ReadOnlySpan<byte> utf8, string source)
    {
        List<InputDocument> documents = [];
        Utf8JsonReader reader = new(utf8, s_options);
        long lineAt = 1;
        int scanned = 0;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.StartArray && reader.CurrentDepth == 0)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        long line = LineAt(utf8, ref scanned, ref lineAt, (int)reader.TokenStartIndex);
                        documents.Add(new InputDocument(source, line, documents.Count + 1, JsonNode.Parse(ref reader), s_noTokens));
                    }
                }
                else
                {
                    long line = LineAt(utf8, ref scanned, ref lineAt, (int)reader.TokenStartIndex);
                    documents.Add(new InputDocument(source, line, documents.Count + 1, JsonNode.Parse(ref reader), s_noTokens));
                }
            }
        }
        catch (JsonException e)
        {
            throw new InputFileException(source, (e.LineNumber ?? 0) + 1, $"not valid JSON: {Reason(e)}");
        }

        return documents;
    }

    /// <summary>The reason of a JSON error without the position that <see cref="InputFileException"/> already gives.</summary>
    public static string Reason(JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd(' ', '.');
    }

    // The 1-based line of byte offset 'at', counting newlines from where the last call stopped.
    private static long LineAt(ReadOnlySpan<byte> utf8, ref int scanned, ref long line, int at)
    {
        line += utf8[scanned..at].Count((byte)'\n');
        scanned = at;
        return line;
    }
}
