using System.Text.Json;
using System.Text.Json.Nodes;
using Banyan.Cli.Input;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Banyan.Cli.Output;

/// <summary>
/// Writes a JSON tree as YAML (block style, keys in the answer's order). A string that YAML would read back as something
/// else (<c>"3"</c>, an int64 in protojson; <c>"true"</c>; <c>""</c>) is quoted, so the YAML reads back to the same JSON and
/// can be fed to <c>-f</c> again.
/// </summary>
public static class JsonToYaml
{
    /// <summary>Emits <paramref name="node"/> as one YAML document on <paramref name="writer"/>.</summary>
    public static void Write(JsonNode? node, TextWriter writer)
    {
        Emitter emitter = new(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach ((string key, JsonNode? value) in obj)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (JsonNode? item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            default:
                JsonElement element = node.GetValue<JsonElement>();
                switch (element.ValueKind)
                {
                    case JsonValueKind.String:
                        EmitString(emitter, element.GetString()!);
                        break;
                    case JsonValueKind.Null:
                        emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                        break;
                    default:
                        // Numbers and booleans as written.
                        emitter.Emit(new Scalar(null, null, element.GetRawText(), ScalarStyle.Plain, true, false));
                        break;
                }

                break;
        }
    }

    private static void EmitString(IEmitter emitter, string value)
    {
        bool readsBackAsString = YamlDocumentReader.PlainScalarValue(value) is JsonValue v
            && v.GetValueKind() == JsonValueKind.String;
        ScalarStyle style = readsBackAsString ? ScalarStyle.Any : ScalarStyle.DoubleQuoted;
        emitter.Emit(new Scalar(null, null, value, style, readsBackAsString, true));
    }
}
