using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Banyan.Conformance.Fixtures;

/// <summary>
/// Reads a fixture file into protobuf messages with Google.Protobuf's strict JSON parser (unknown fields are
/// errors), after YAML files are converted to JSON. The few documented runner transformations (explicit element
/// ids, plain-text trace span payloads) are applied first, exactly as the fixtures' README describes them.
/// </summary>
public static class FixtureReader
{
    private static readonly JsonParser s_parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    /// <summary>Reads <paramref name="spec"/> and returns its messages (one, or one per array item).</summary>
    public static IReadOnlyList<IMessage> Read(FixtureCatalog catalog, FixtureSpec spec) =>
        Read(File.ReadAllText(catalog.FullPath(spec.RelativePath)), spec);

    /// <summary>Reads fixture text (JSON or YAML, by the spec's file extension).</summary>
    public static IReadOnlyList<IMessage> Read(string text, FixtureSpec spec)
    {
        string json = spec.RelativePath.EndsWith(".json", StringComparison.Ordinal) ? text : YamlToJsonConverter.Convert(text);
        return spec.Format switch
        {
            FixtureFormat.Message => [Parse(json, spec)],
            FixtureFormat.MessageArray => ParseArray(json, spec, item => item),
            FixtureFormat.ExplicitIdTagFamilyArray => ParseArray(json, spec, StripElementId),
            FixtureFormat.TraceSpanArray => ParseArray(json, spec, SpanTextToWriteRequest),
            FixtureFormat.TraceQueryResponse => [Parse(EncodeWantSpans(json), spec)],
            _ => throw new InvalidOperationException($"Unknown fixture format {spec.Format}."),
        };
    }

    /// <summary>
    /// True when the file's document holds at least one non-null, non-default scalar (anything but null, false,
    /// 0 and ""), i.e. something a correct parse must keep.
    /// </summary>
    public static bool CarriesValues(FixtureCatalog catalog, FixtureSpec spec)
    {
        string text = File.ReadAllText(catalog.FullPath(spec.RelativePath));
        string json = spec.RelativePath.EndsWith(".json", StringComparison.Ordinal) ? text : YamlToJsonConverter.Convert(text);
        return CarriesValues(JsonNode.Parse(json));
    }

    private static bool CarriesValues(JsonNode? node) => node switch
    {
        null => false,
        JsonObject obj => obj.Any(p => CarriesValues(p.Value)),
        JsonArray array => array.Any(CarriesValues),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>().Length > 0,
            JsonValueKind.Number => value.GetValue<double>() != 0,
            JsonValueKind.True => true,
            _ => false,
        },
        _ => false,
    };

    /// <summary>Parses JSON into <paramref name="spec"/>'s message type with the strict parser.</summary>
    public static IMessage Parse(string json, FixtureSpec spec) => s_parser.Parse(json, spec.Descriptor);

    private static List<IMessage> ParseArray(string json, FixtureSpec spec, Func<JsonObject, JsonObject> transform)
    {
        JsonArray items = JsonNode.Parse(json) as JsonArray
            ?? throw new FormatException($"{spec.RelativePath}: expected a JSON array of {spec.Descriptor.FullName}.");
        List<IMessage> messages = new(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            JsonObject item = items[i] as JsonObject
                ?? throw new FormatException($"{spec.RelativePath}: item {i} is not a JSON object.");
            try
            {
                messages.Add(Parse(transform(item).ToJsonString(), spec));
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or FormatException)
            {
                throw new FormatException($"{spec.RelativePath}: item {i} is not a valid {spec.Descriptor.FullName}: {e.Message}", e);
            }
        }

        return messages;
    }

    // streamExplicitId: {element_id, tags} → the searchable TagFamilyForWrite {tags}; the id must be a string.
    private static JsonObject StripElementId(JsonObject item)
    {
        if (item["element_id"] is not JsonValue id || id.GetValueKind() != JsonValueKind.String)
        {
            throw new FormatException("an explicit-id entry needs a string \"element_id\".");
        }

        JsonObject rest = (JsonObject)item.DeepClone();
        rest.Remove("element_id");
        return rest;
    }

    // traceVersioned / traceMixed: {span: text, tags} → WriteRequest{tags, span: base64(utf8(text))}.
    private static JsonObject SpanTextToWriteRequest(JsonObject item)
    {
        JsonObject request = [];
        foreach (KeyValuePair<string, JsonNode?> property in item)
        {
            request[property.Key] = property.Key == "span" ? Base64OfText(property.Value, "span") : property.Value?.DeepClone();
        }

        return request;
    }

    // Trace want files write span payloads as text; protojson bytes are base64.
    private static string EncodeWantSpans(string json)
    {
        JsonNode root = JsonNode.Parse(json) ?? throw new FormatException("empty trace want document.");
        if (root["traces"] is JsonArray traces)
        {
            foreach (JsonNode? trace in traces)
            {
                if (trace?["spans"] is JsonArray spans)
                {
                    foreach (JsonNode? span in spans)
                    {
                        if (span is JsonObject spanObject && spanObject["span"] is JsonNode payload)
                        {
                            spanObject["span"] = Base64OfText(payload, "traces[].spans[].span");
                        }
                    }
                }
            }
        }

        return root.ToJsonString();
    }

    private static JsonValue Base64OfText(JsonNode? node, string field)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            throw new FormatException($"\"{field}\" must be a string.");
        }

        return JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(value.GetValue<string>())));
    }
}
