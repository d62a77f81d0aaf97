using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Banyan.Cli.Input;

/// <summary>
/// BanyanDB's messages in and out of JSON (protojson), as bydbctl and the HTTP gateway use them. Files are read
/// strictly (an unknown field is an error naming it, as bydbctl's <c>protojson.Unmarshal</c>); the server's answers
/// leniently (a newer server may add fields).
/// </summary>
public static partial class ProtoJson
{
    private static readonly JsonParser s_strict = new(JsonParser.Settings.Default);
    private static readonly JsonParser s_lenient = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly JsonFormatter s_compact = new(JsonFormatter.Settings.Default);

    /// <summary>The message <paramref name="document"/> (or <paramref name="node"/>, when given) holds.</summary>
    /// <exception cref="InputFileException">It is not a <paramref name="descriptor"/> message; names the file and line.</exception>
    public static IMessage ParseDocument(InputDocument document, MessageDescriptor descriptor, JsonNode? node = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(descriptor);
        node ??= document.Node;
        if (node is not JsonObject)
        {
            throw document.Error($"document {document.Index} is not a mapping of a {descriptor.FullName}");
        }

        try
        {
            return s_strict.Parse(node.ToJsonString(), descriptor);
        }
        catch (Exception e) when (IsDecodingError(e))
        {
            throw document.Error($"document {document.Index} is not a valid {descriptor.FullName}: {e.Message}", TokenOf(e.Message));
        }
    }

    /// <summary>Parses one JSON text (e.g. a line of a JSON lines file) as a <typeparamref name="T"/>, strictly.</summary>
    /// <exception cref="FormatException">The text is not a <typeparamref name="T"/>; the message says why.</exception>
    public static T ParseStrict<T>(string json)
        where T : IMessage<T>, new()
    {
        try
        {
            return s_strict.Parse<T>(json);
        }
        catch (Exception e) when (IsDecodingError(e) && e is not FormatException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>Parses a server answer, ignoring fields this tool does not know.</summary>
    /// <exception cref="CliException">The answer is not a <typeparamref name="T"/> (a server of another kind?).</exception>
    public static T ParseAnswer<T>(string json)
        where T : IMessage<T>, new()
    {
        try
        {
            return s_lenient.Parse<T>(json);
        }
        catch (Exception e) when (IsDecodingError(e))
        {
            throw new CliException($"the server's answer is not a {new T().Descriptor.FullName}: {e.Message}", ExitCodes.ServerError, e);
        }
    }

    /// <summary>Parses a server answer as a <paramref name="descriptor"/> message, ignoring fields this tool does not know.</summary>
    /// <exception cref="CliException">The answer is not such a message.</exception>
    public static IMessage ParseAnswer(string json, MessageDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        try
        {
            return s_lenient.Parse(json, descriptor);
        }
        catch (Exception e) when (IsDecodingError(e))
        {
            throw new CliException($"the server's answer is not a {descriptor.FullName}: {e.Message}", ExitCodes.ServerError, e);
        }
    }

    /// <summary>The compact JSON of <paramref name="message"/> (lowerCamelCase, defaults left out), as a JSON tree.</summary>
    public static JsonObject ToNode(IMessage message) => (JsonObject)JsonNode.Parse(s_compact.Format(message))!;

    /// <summary>The compact JSON text of <paramref name="message"/>.</summary>
    public static string Format(IMessage message) => s_compact.Format(message);

    /// <summary>Whether <paramref name="e"/> is how Google.Protobuf's JSON parser refuses its input.</summary>
    public static bool IsDecodingError(Exception e) =>
        e is InvalidProtocolBufferException or InvalidJsonException or FormatException or JsonException or InvalidOperationException;

    // The key or value an error of Google.Protobuf's parser names, to find its line.
    private static string? TokenOf(string message)
    {
        Match match = NamedToken().Match(message);
        return match.Success ? match.Groups["token"].Value : null;
    }

    [GeneratedRegex(@"(Unknown field: |Invalid enum value: |Unknown enum value: |for field )(?<token>[^\s,]+)", RegexOptions.CultureInvariant)]
    private static partial Regex NamedToken();
}
