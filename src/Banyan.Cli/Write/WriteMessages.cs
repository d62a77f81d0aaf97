using System.Text.Json;
using Banyan.Cli.Input;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using CommonV1 = Banyan.Api.Common.V1;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Cli.Write;

/// <summary>
/// The write messages of a target: what one JSON or YAML row may be (a whole <c>WriteRequest</c>, or just its value:
/// a <c>DataPointValue</c> or an <c>ElementValue</c>), and how to set the metadata and spec a stream's first message
/// needs.
/// </summary>
public sealed class WriteMessages
{
    private static readonly HashSet<string> s_measureRequestKeys = ["metadata", "messageId", "message_id", "dataPoint", "data_point", "dataPointSpec", "data_point_spec"];
    private static readonly JsonParser s_parser = new(JsonParser.Settings.Default);
    private static readonly HashSet<string> s_streamRequestKeys = ["metadata", "messageId", "message_id", "element", "tagFamilySpec", "tag_family_spec"];

    private WriteMessages(WriteTarget target)
    {
        Target = target;
    }

    /// <summary>Measure writes.</summary>
    public static WriteMessages Measure { get; } = new(WriteTarget.Measure);

    /// <summary>Stream writes.</summary>
    public static WriteMessages Stream { get; } = new(WriteTarget.Stream);

    /// <summary>The target.</summary>
    public WriteTarget Target { get; }

    /// <summary>The request message type.</summary>
    public MessageDescriptor Request => Target == WriteTarget.Measure ? MeasureV1.WriteRequest.Descriptor : StreamV1.WriteRequest.Descriptor;

    /// <summary>The value message type (one data point or element).</summary>
    public MessageDescriptor Value => Target == WriteTarget.Measure ? MeasureV1.DataPointValue.Descriptor : StreamV1.ElementValue.Descriptor;

    /// <summary>The messages of <paramref name="target"/>.</summary>
    public static WriteMessages Of(WriteTarget target) => target == WriteTarget.Measure ? Measure : Stream;

    /// <summary>
    /// The request one JSON object makes: a <c>WriteRequest</c> when it has any of the request's own keys (metadata,
    /// messageId, dataPoint/element, the spec), otherwise a value wrapped in a request. Strict: an unknown field is an error.
    /// </summary>
    /// <exception cref="FormatException">The JSON is not such a message; the message says why.</exception>
    public IMessage Parse(string json)
    {
        bool isRequest = HasRequestKey(json);
        IMessage message = ParseStrict(json, isRequest ? Request : Value);
        return isRequest ? message : Wrap(message);
    }

    /// <summary>A request carrying <paramref name="value"/>.</summary>
    public IMessage Wrap(IMessage value) => Target == WriteTarget.Measure
        ? new MeasureV1.WriteRequest { DataPoint = (MeasureV1.DataPointValue)value }
        : new StreamV1.WriteRequest { Element = (StreamV1.ElementValue)value };

    /// <summary>The metadata of <paramref name="request"/>, or null.</summary>
    public static CommonV1.Metadata? MetadataOf(IMessage request) => request switch
    {
        MeasureV1.WriteRequest m => m.Metadata,
        StreamV1.WriteRequest s => s.Metadata,
        _ => null,
    };

    /// <summary>Sets the metadata of <paramref name="request"/>.</summary>
    public static void SetMetadata(IMessage request, CommonV1.Metadata metadata)
    {
        switch (request)
        {
            case MeasureV1.WriteRequest m:
                m.Metadata = metadata;
                break;
            case StreamV1.WriteRequest s:
                s.Metadata = metadata;
                break;
        }
    }

    private bool HasRequestKey(string json)
    {
        HashSet<string> keys = Target == WriteTarget.Measure ? s_measureRequestKeys : s_streamRequestKeys;
        Utf8JsonReader reader = new(System.Text.Encoding.UTF8.GetBytes(json));
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (keys.Contains(reader.GetString()!))
                {
                    return true;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: the strict parse that follows says where.
        }

        return false;
    }

    private static IMessage ParseStrict(string json, MessageDescriptor descriptor)
    {
        try
        {
            return s_parser.Parse(json, descriptor);
        }
        catch (Exception e) when (ProtoJson.IsDecodingError(e))
        {
            throw new FormatException($"not a valid {descriptor.FullName}: {e.Message}", e);
        }
    }
}
