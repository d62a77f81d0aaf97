using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Banyan.Conformance.Fixtures;

/// <summary>
/// Converts a YAML document to JSON text the way BanyanDB's fixtures are meant to be read (YAML → JSON →
/// protojson). Quoted scalars stay strings; plain scalars are typed with the YAML 1.2 core schema
/// (null, bool, int, float, else string), so <c>value: "1"</c> stays a string and <c>limit: 1</c> becomes a number.
/// Mapping keys are always strings. Integers outside ±2^53 are written as JSON strings so no digit is lost
/// (protojson accepts 64-bit integers as strings).
/// </summary>
public static partial class YamlToJsonConverter
{
    // Largest integer a JSON reader that goes through double keeps exactly.
    private static readonly BigInteger s_maxExactInteger = BigInteger.Pow(2, 53);

    /// <summary>Converts the single document of <paramref name="yaml"/>; an empty document becomes <c>{}</c>.</summary>
    public static string Convert(string yaml)
    {
        YamlStream stream = new();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count > 1)
        {
            throw new FormatException($"Expected one YAML document, found {stream.Documents.Count}.");
        }

        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            if (stream.Documents.Count == 0)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                WriteNode(writer, stream.Documents[0].RootNode);
            }
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNode(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (KeyValuePair<YamlNode, YamlNode> entry in mapping.Children)
                {
                    if (entry.Key is not YamlScalarNode key || key.Value is null)
                    {
                        throw new FormatException($"Only scalar mapping keys can become JSON; found one at {entry.Key.Start}.");
                    }

                    writer.WritePropertyName(key.Value);
                    WriteNode(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (YamlNode item in sequence.Children)
                {
                    WriteNode(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new FormatException($"Unsupported YAML node {node.NodeType} at {node.Start}.");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        string text = scalar.Value ?? string.Empty;
        bool plain = scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any;
        bool explicitString = !scalar.Tag.IsEmpty && scalar.Tag.Value == "tag:yaml.org,2002:str";
        if (!plain || explicitString)
        {
            writer.WriteStringValue(text);
            return;
        }

        if (text.Length == 0 || text is "~" or "null" or "Null" or "NULL")
        {
            writer.WriteNullValue();
        }
        else if (text is "true" or "True" or "TRUE")
        {
            writer.WriteBooleanValue(true);
        }
        else if (text is "false" or "False" or "FALSE")
        {
            writer.WriteBooleanValue(false);
        }
        else if (TryParseInteger(text, out BigInteger integer))
        {
            if (BigInteger.Abs(integer) <= s_maxExactInteger)
            {
                writer.WriteNumberValue((long)integer);
            }
            else
            {
                writer.WriteStringValue(integer.ToString(CultureInfo.InvariantCulture));
            }
        }
        else if (FloatPattern().IsMatch(text))
        {
            writer.WriteNumberValue(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        else if (text is ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF")
        {
            // JSON has no infinity literal; protojson spells it as a string.
            writer.WriteStringValue("Infinity");
        }
        else if (text is "-.inf" or "-.Inf" or "-.INF")
        {
            writer.WriteStringValue("-Infinity");
        }
        else if (text is ".nan" or ".NaN" or ".NAN")
        {
            writer.WriteStringValue("NaN");
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    private static bool TryParseInteger(string text, out BigInteger value)
    {
        if (DecimalIntegerPattern().IsMatch(text))
        {
            value = BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return true;
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && text.Length > 2 && HexDigitsPattern().IsMatch(text.AsSpan(2)))
        {
            // A leading zero keeps BigInteger from reading the hex digits as a negative two's complement.
            value = BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return true;
        }

        if (text.StartsWith("0o", StringComparison.Ordinal) && text.Length > 2 && OctalDigitsPattern().IsMatch(text.AsSpan(2)))
        {
            value = BigInteger.Zero;
            foreach (char digit in text.AsSpan(2))
            {
                value = (value * 8) + (digit - '0');
            }

            return true;
        }

        value = default;
        return false;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalIntegerPattern();

    [GeneratedRegex(@"^[0-9a-fA-F]+$")]
    private static partial Regex HexDigitsPattern();

    [GeneratedRegex(@"^[0-7]+$")]
    private static partial Regex OctalDigitsPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
