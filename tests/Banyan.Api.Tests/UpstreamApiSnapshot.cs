using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Banyan.Api.Tests;

/// <summary>Where an <see cref="UpstreamApiSnapshot"/> was taken from.</summary>
/// <param name="Repository">The upstream repository, <c>apache/skywalking-banyandb</c>.</param>
/// <param name="Commit">The commit the .proto files were read at.</param>
/// <param name="ApiVersion">The <c>Version</c> constant of <c>api/proto/banyandb/version.go</c> at that commit.</param>
/// <param name="Packages">The protobuf packages the snapshot covers (every file of each is included).</param>
public sealed record UpstreamSource(string Repository, string Commit, string ApiVersion, IReadOnlyList<string> Packages);

/// <summary>
/// BanyanDB's published v1 API, described as an <see cref="ApiShape"/> and checked in as JSON
/// (<c>upstream/banyandb-v1-api.json</c>) so that the tests can compare Banyan's protos with it without the
/// upstream sources. The JSON puts one field, enum value or RPC per line so that a regenerated file diffs well.
/// </summary>
public sealed record UpstreamApiSnapshot(UpstreamSource Source, ApiShape Api)
{
    /// <summary>The snapshot file name, next to the test assembly and under <c>upstream/</c> in the sources.</summary>
    public const string FileName = "banyandb-v1-api.json";

    // Type names such as "map<string, int64>" stay readable: the file is never embedded in HTML.
    private static readonly JavaScriptEncoder s_encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    private static readonly JsonSerializerOptions s_quoteOptions = new() { Encoder = s_encoder };

    private static readonly Lazy<UpstreamApiSnapshot> s_checkedIn = new(() =>
        Read(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "upstream", FileName))));

    /// <summary>The checked-in snapshot, copied next to the test assembly by the build.</summary>
    public static UpstreamApiSnapshot CheckedIn => s_checkedIn.Value;

    /// <summary>Serializes the snapshot (UTF-8 JSON, LF line ends, trailing newline).</summary>
    public string Write()
    {
        StringBuilder json = new();
        json.Append("{\n  \"source\": {\n");
        json.Append($"    \"repository\": {Quote(Source.Repository)},\n");
        json.Append($"    \"commit\": {Quote(Source.Commit)},\n");
        json.Append($"    \"apiVersion\": {Quote(Source.ApiVersion)},\n");
        json.Append($"    \"packages\": [{string.Join(", ", Source.Packages.Select(Quote))}]\n");
        json.Append("  },\n");

        AppendList(json, "messages", Api.Messages, (message, item) =>
        {
            item.Append($"      \"name\": {Quote(message.Name)},\n");
            item.Append($"      \"file\": {Quote(message.File)},\n");
            item.Append($"      \"oneofs\": [{string.Join(", ", message.Oneofs.Select(Quote))}],\n");
            AppendLines(item, "fields", message.Fields, field => Compact(w =>
            {
                w.WriteString("name", field.Name);
                w.WriteNumber("number", field.Number);
                w.WriteString("label", field.Label);
                w.WriteString("type", field.Type);
                if (field.Oneof is not null)
                {
                    w.WriteString("oneof", field.Oneof);
                }

                w.WriteString("jsonName", field.JsonName);
            }));
        });
        json.Append(",\n");
        AppendList(json, "enums", Api.Enums, (enumType, item) =>
        {
            item.Append($"      \"name\": {Quote(enumType.Name)},\n");
            item.Append($"      \"file\": {Quote(enumType.File)},\n");
            AppendLines(item, "values", enumType.Values, value => Compact(w =>
            {
                w.WriteString("name", value.Name);
                w.WriteNumber("number", value.Number);
            }));
        });
        json.Append(",\n");
        AppendList(json, "services", Api.Services, (service, item) =>
        {
            item.Append($"      \"name\": {Quote(service.Name)},\n");
            item.Append($"      \"file\": {Quote(service.File)},\n");
            AppendLines(item, "methods", service.Methods, method => Compact(w =>
            {
                w.WriteString("name", method.Name);
                w.WriteString("input", method.InputType);
                w.WriteString("output", method.OutputType);
                w.WriteBoolean("clientStreaming", method.ClientStreaming);
                w.WriteBoolean("serverStreaming", method.ServerStreaming);
                w.WriteStartArray("http");
                foreach (HttpRoute route in method.Http)
                {
                    w.WriteStartObject();
                    w.WriteString("method", route.Method);
                    w.WriteString("path", route.Path);
                    w.WriteString("body", route.Body);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }));
        });
        json.Append("\n}\n");
        return json.ToString();
    }

    /// <summary>Parses a snapshot written by <see cref="Write"/>; a missing or mistyped property throws naming it.</summary>
    public static UpstreamApiSnapshot Read(string text)
    {
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement root = document.RootElement;
        JsonElement source = Property(root, "source");
        UpstreamSource upstream = new(
            String(source, "repository"),
            String(source, "commit"),
            String(source, "apiVersion"),
            [.. Property(source, "packages").EnumerateArray().Select(p => p.GetString()!)]);

        List<MessageShape> messages = [];
        foreach (JsonElement message in Property(root, "messages").EnumerateArray())
        {
            List<FieldShape> fields = [];
            foreach (JsonElement field in Property(message, "fields").EnumerateArray())
            {
                fields.Add(new FieldShape(
                    String(field, "name"),
                    Property(field, "number").GetInt32(),
                    String(field, "label"),
                    String(field, "type"),
                    field.TryGetProperty("oneof", out JsonElement oneof) ? oneof.GetString() : null,
                    String(field, "jsonName")));
            }

            messages.Add(new MessageShape(
                String(message, "name"),
                String(message, "file"),
                fields,
                [.. Property(message, "oneofs").EnumerateArray().Select(o => o.GetString()!)]));
        }

        List<EnumShape> enums = [];
        foreach (JsonElement enumType in Property(root, "enums").EnumerateArray())
        {
            enums.Add(new EnumShape(
                String(enumType, "name"),
                String(enumType, "file"),
                [.. Property(enumType, "values").EnumerateArray()
                    .Select(v => new EnumValueShape(String(v, "name"), Property(v, "number").GetInt32()))]));
        }

        List<ServiceShape> services = [];
        foreach (JsonElement service in Property(root, "services").EnumerateArray())
        {
            List<MethodShape> methods = [];
            foreach (JsonElement method in Property(service, "methods").EnumerateArray())
            {
                methods.Add(new MethodShape(
                    String(method, "name"),
                    String(method, "input"),
                    String(method, "output"),
                    Property(method, "clientStreaming").GetBoolean(),
                    Property(method, "serverStreaming").GetBoolean(),
                    [.. Property(method, "http").EnumerateArray()
                        .Select(h => new HttpRoute(String(h, "method"), String(h, "path"), String(h, "body")))]));
            }

            services.Add(new ServiceShape(String(service, "name"), String(service, "file"), methods));
        }

        return new UpstreamApiSnapshot(upstream, new ApiShape(messages, enums, services));
    }

    // A top-level array of objects, one property per line.
    private static void AppendList<T>(StringBuilder json, string name, IReadOnlyList<T> items, Action<T, StringBuilder> appendProperties)
    {
        json.Append($"  \"{name}\": [");
        for (int i = 0; i < items.Count; i++)
        {
            json.Append(i == 0 ? "\n    {\n" : ",\n    {\n");
            appendProperties(items[i], json);
            json.Append("    }");
        }

        json.Append(items.Count == 0 ? "]" : "\n  ]");
    }

    // The last property of an object: an array with one compact object per line.
    private static void AppendLines<T>(StringBuilder json, string name, IReadOnlyList<T> items, Func<T, string> compact)
    {
        json.Append($"      \"{name}\": [");
        for (int i = 0; i < items.Count; i++)
        {
            json.Append(i == 0 ? "\n        " : ",\n        ").Append(compact(items[i]));
        }

        json.Append(items.Count == 0 ? "]\n" : "\n      ]\n");
    }

    private static string Compact(Action<Utf8JsonWriter> writeProperties)
    {
        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter writer = new(buffer, new JsonWriterOptions { Encoder = s_encoder }))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, s_quoteOptions);

    private static JsonElement Property(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new InvalidDataException($"Upstream API snapshot: property '{name}' is missing in {element}.");

    private static string String(JsonElement element, string name) =>
        Property(element, name).GetString()
            ?? throw new InvalidDataException($"Upstream API snapshot: property '{name}' is null in {element}.");
}
