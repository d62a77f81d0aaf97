using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Banyan.Cli.Input;

/// <summary>
/// Reads YAML documents one at a time (YamlDotNet's event parser over a <see cref="TextReader"/>, so a large file is
/// never held whole) and turns each into a JSON tree the way bydbctl does (<c>sigs.k8s.io/yaml</c>'s YAMLToJSON): plain
/// scalars that look like numbers, booleans or null become those JSON values, everything else a string; keys are
/// strings. Several documents in one file are separated by <c>---</c>.
/// </summary>
public sealed partial class YamlDocumentReader
{
    private readonly Parser _parser;
    private readonly string _source;
    private readonly bool _splitSequences;
    private bool _inSequence;
    private long _documentLine;
    private long _lastLine;
    private int _index;
    private Dictionary<string, long> _tokenLines = new(StringComparer.Ordinal);

    /// <summary>A reader of the YAML text in <paramref name="reader"/>; <paramref name="source"/> names it in errors.</summary>
    public YamlDocumentReader(TextReader reader, string source)
        : this(reader, source, splitSequences: false)
    {
    }

    /// <summary>
    /// A reader of the YAML text in <paramref name="reader"/>; with <paramref name="splitSequences"/>, a document that is
    /// a sequence yields each item as a document of its own, read one at a time (bulk writes: a long list of points is
    /// never held whole).
    /// </summary>
    public YamlDocumentReader(TextReader reader, string source, bool splitSequences)
    {
        _parser = new Parser(reader);
        _source = source;
        _splitSequences = splitSequences;
    }

    /// <summary>The next document, or null at the end of the text.</summary>
    /// <exception cref="InputFileException">The YAML is malformed, or uses what JSON cannot hold (anchors, complex keys).</exception>
    public InputDocument? Next()
    {
        try
        {
            if (_index == 0)
            {
                _parser.Consume<StreamStart>();
            }

            while (true)
            {
                if (_inSequence)
                {
                    if (_parser.TryConsume<SequenceEnd>(out _))
                    {
                        _inSequence = false;
                        _parser.Consume<DocumentEnd>();
                        continue;
                    }

                    _tokenLines = new Dictionary<string, long>(StringComparer.Ordinal);
                    _index++;
                    long line = _parser.Current!.Start.Line;
                    return new InputDocument(_source, line, _index, ReadNode(), _tokenLines);
                }

                if (_parser.TryConsume<StreamEnd>(out _))
                {
                    return null;
                }

                DocumentStart start = _parser.Consume<DocumentStart>();
                _documentLine = start.Start.Line;
                if (_splitSequences && _parser.TryConsume<SequenceStart>(out _))
                {
                    _inSequence = true;
                    continue;
                }

                _index++;
                _tokenLines = new Dictionary<string, long>(StringComparer.Ordinal);
                JsonNode? node = null;
                bool empty = _parser.Accept<DocumentEnd>(out _);
                if (!empty)
                {
                    node = ReadNode();
                }

                _parser.Consume<DocumentEnd>();
                if (empty || node is null)
                {
                    // "---" followed by nothing (a trailing separator): no document, as kubectl and bydbctl skip it.
                    continue;
                }

                return new InputDocument(_source, _documentLine, _index, node, _tokenLines);
            }
        }
        catch (YamlException e)
        {
            long line = e.Start.Line > 0 ? e.Start.Line : Math.Max(1, _lastLine);
            throw new InputFileException(_source, line, $"not valid YAML: {FirstLine(e.InnerException?.Message ?? e.Message)}");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (without a position) on some malformed text, e.g. an unclosed flow sequence.
            throw new InputFileException(_source, Math.Max(1, _lastLine), $"not valid YAML after this line: {FirstLine(e.Message)}");
        }
    }

    /// <summary>The JSON value of one scalar as bydbctl's YAML-to-JSON conversion gives it.</summary>
    public static JsonNode? ScalarValue(Scalar scalar)
    {
        ArgumentNullException.ThrowIfNull(scalar);
        return scalar.Style is ScalarStyle.Plain && scalar.Tag.IsEmpty ? PlainScalarValue(scalar.Value) : JsonValue.Create(scalar.Value);
    }

    /// <summary>The JSON value of an unquoted YAML scalar <paramref name="text"/>: null, a boolean, a number, or the string.</summary>
    public static JsonNode? PlainScalarValue(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (JsonNumber().IsMatch(text))
        {
            return JsonNode.Parse(text.TrimStart('+'));
        }

        if (YamlFloat().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(text);
    }

    private JsonNode? ReadNode()
    {
        ParsingEvent next = _parser.Current ?? throw new YamlException("unexpected end of the YAML text");
        _lastLine = next.Start.Line;
        switch (next)
        {
            case AnchorAlias alias:
                throw new YamlException(alias.Start, alias.End, "anchors and aliases (*name) are not supported; write the value out");
            case Scalar scalar:
                _parser.MoveNext();
                Remember(scalar.Value, scalar.Start.Line);
                return ScalarValue(scalar);
            case SequenceStart:
                {
                    _parser.MoveNext();
                    JsonArray array = [];
                    while (!_parser.TryConsume<SequenceEnd>(out _))
                    {
                        array.Add(ReadNode());
                    }

                    return array;
                }

            case MappingStart:
                {
                    _parser.MoveNext();
                    JsonObject obj = [];
                    while (!_parser.TryConsume<MappingEnd>(out _))
                    {
                        if (_parser.Current is not Scalar key)
                        {
                            ParsingEvent at = _parser.Current!;
                            throw new YamlException(at.Start, at.End, "a mapping key must be a plain value");
                        }

                        _parser.MoveNext();
                        Remember(key.Value, key.Start.Line);
                        JsonNode? value = ReadNode();
                        if (!obj.TryAdd(key.Value, value))
                        {
                            throw new YamlException(key.Start, key.End, $"the key '{key.Value}' appears twice in one mapping");
                        }
                    }

                    return obj;
                }

            default:
                throw new YamlException(next.Start, next.End, $"unexpected {next.GetType().Name}");
        }
    }

    private void Remember(string token, long line)
    {
        if (token.Length > 0)
        {
            _tokenLines.TryAdd(token, line);
        }
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }

    // A number JSON can hold as written (after dropping a leading '+').
    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    // Other YAML 1.2 floats ("1.", ".5").
    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex YamlFloat();
}
