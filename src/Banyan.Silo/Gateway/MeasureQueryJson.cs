using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Banyan.Api.Measure.V1;
using Banyan.Api.Model.V1;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Silo.Gateway;

/// <summary>
/// A measure query's answer (<c>MeasureService/Query</c> over the HTTP gateway) in the JSON <see cref="GatewayCodec"/>
/// writes, written field by field instead of through protobuf's reflection-driven formatter, which took most of the
/// gateway's time for answers of many data points (docs/benchmarks.md, "Measure query answers over HTTP"). The same
/// JSON by protojson's rules: lowerCamelCase names in field-number order, fields without presence written at their
/// defaults (<c>"sid": "0"</c>, <c>[]</c>, <c>{}</c>), message and oneof fields only when set, 64-bit integers as strings,
/// timestamps in RFC 3339 with 0, 3, 6 or 9 fractional digits, bytes in base64, doubles shortest round-trip (NaN and the
/// infinities as strings), enums by name. An answer with a trace is left to the general formatter.
/// </summary>
internal static class MeasureQueryJson
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The names of model.v1.Status by number, as protojson writes an enum.
    private static readonly EnumDescriptor s_status = QueryResponse.Descriptor.FindFieldByName("group_statuses").MessageType.FindFieldByName("value").EnumType;

    /// <summary>Writes <paramref name="response"/>; false (nothing written) when it carries a trace, which this writer leaves to <see cref="GatewayCodec.Format"/>.</summary>
    public static bool TryWrite(QueryResponse response, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Trace is not null)
        {
            return false;
        }

        using var writer = new Utf8JsonWriter(output, s_options);
        writer.WriteStartObject();
        writer.WriteStartArray("dataPoints");
        foreach (DataPoint point in response.DataPoints)
        {
            WritePoint(writer, point);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("groupStatuses");
        foreach (KeyValuePair<string, Status> status in response.GroupStatuses)
        {
            writer.WritePropertyName(status.Key);
            WriteEnum(writer, s_status, (int)status.Value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        return true;
    }

    private static void WritePoint(Utf8JsonWriter writer, DataPoint point)
    {
        writer.WriteStartObject();
        if (point.Timestamp is { } timestamp)
        {
            writer.WritePropertyName("timestamp");
            WriteTimestamp(writer, timestamp);
        }

        writer.WriteStartArray("tagFamilies");
        foreach (TagFamily family in point.TagFamilies)
        {
            writer.WriteStartObject();
            writer.WriteString("name", family.Name);
            writer.WriteStartArray("tags");
            foreach (Tag tag in family.Tags)
            {
                writer.WriteStartObject();
                writer.WriteString("key", tag.Key);
                if (tag.Value is { } value)
                {
                    writer.WritePropertyName("value");
                    WriteTagValue(writer, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("fields");
        foreach (DataPoint.Types.Field field in point.Fields)
        {
            writer.WriteStartObject();
            writer.WriteString("name", field.Name);
            if (field.Value is { } value)
            {
                writer.WritePropertyName("value");
                WriteFieldValue(writer, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("sid", point.Sid.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("version", point.Version.ToString(CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }

    private static void WriteTagValue(Utf8JsonWriter writer, TagValue value)
    {
        writer.WriteStartObject();
        switch (value.ValueCase)
        {
            case TagValue.ValueOneofCase.Null:
                writer.WriteNull("null");
                break;
            case TagValue.ValueOneofCase.Str:
                WriteStr(writer, value.Str.Value);
                break;
            case TagValue.ValueOneofCase.StrArray:
                writer.WriteStartObject("strArray");
                writer.WriteStartArray("value");
                foreach (string element in value.StrArray.Value)
                {
                    writer.WriteStringValue(element);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            case TagValue.ValueOneofCase.Int:
                WriteInt(writer, value.Int.Value);
                break;
            case TagValue.ValueOneofCase.IntArray:
                writer.WriteStartObject("intArray");
                writer.WriteStartArray("value");
                foreach (long element in value.IntArray.Value)
                {
                    writer.WriteStringValue(element.ToString(CultureInfo.InvariantCulture));
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            case TagValue.ValueOneofCase.BinaryData:
                writer.WriteBase64String("binaryData", value.BinaryData.Span);
                break;
            case TagValue.ValueOneofCase.Timestamp:
                writer.WritePropertyName("timestamp");
                WriteTimestamp(writer, value.Timestamp);
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteFieldValue(Utf8JsonWriter writer, FieldValue value)
    {
        writer.WriteStartObject();
        switch (value.ValueCase)
        {
            case FieldValue.ValueOneofCase.Null:
                writer.WriteNull("null");
                break;
            case FieldValue.ValueOneofCase.Str:
                WriteStr(writer, value.Str.Value);
                break;
            case FieldValue.ValueOneofCase.Int:
                WriteInt(writer, value.Int.Value);
                break;
            case FieldValue.ValueOneofCase.BinaryData:
                writer.WriteBase64String("binaryData", value.BinaryData.Span);
                break;
            case FieldValue.ValueOneofCase.Float:
                writer.WriteStartObject("float");
                writer.WritePropertyName("value");
                WriteDouble(writer, value.Float.Value);
                writer.WriteEndObject();
                break;
        }

        writer.WriteEndObject();
    }

    // model.v1.Str and model.v1.Int, as the "str" and "int" members of a tag or field value.
    private static void WriteStr(Utf8JsonWriter writer, string value)
    {
        writer.WriteStartObject("str");
        writer.WriteString("value", value);
        writer.WriteEndObject();
    }

    private static void WriteInt(Utf8JsonWriter writer, long value)
    {
        writer.WriteStartObject("int");
        writer.WriteString("value", value.ToString(CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }

    // protojson: a finite double as its shortest round-trip text, NaN and the infinities as strings.
    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsNaN(value))
        {
            writer.WriteStringValue("NaN");
        }
        else if (double.IsInfinity(value))
        {
            writer.WriteStringValue(value > 0 ? "Infinity" : "-Infinity");
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    // RFC 3339 in UTC with the fewest of 0, 3, 6 or 9 fractional digits that hold the nanoseconds, as protojson writes
    // google.protobuf.Timestamp.
    private static void WriteTimestamp(Utf8JsonWriter writer, Timestamp timestamp)
    {
        int nanos = timestamp.Nanos;
        if (nanos is < 0 or > 999_999_999)
        {
            throw new InvalidOperationException($"timestamp with {nanos} nanoseconds is not valid");
        }

        Span<char> text = stackalloc char[40];
        DateTime utc = DateTime.UnixEpoch.AddTicks(checked(timestamp.Seconds * TimeSpan.TicksPerSecond));
        if (!utc.TryFormat(text, out int length, "yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"timestamp {timestamp.Seconds} s could not be formatted");
        }

        if (nanos != 0)
        {
            (int value, int digits) = nanos % 1_000_000 == 0 ? (nanos / 1_000_000, 3) : nanos % 1_000 == 0 ? (nanos / 1_000, 6) : (nanos, 9);
            text[length++] = '.';
            value.TryFormat(text[length..], out int written, digits == 3 ? "D3" : digits == 6 ? "D6" : "D9", CultureInfo.InvariantCulture);
            length += written;
        }

        text[length++] = 'Z';
        writer.WriteStringValue(text[..length]);
    }

    private static void WriteEnum(Utf8JsonWriter writer, EnumDescriptor type, int number)
    {
        if (type.FindValueByNumber(number) is { } known)
        {
            writer.WriteStringValue(known.Name);
        }
        else
        {
            writer.WriteNumberValue(number);
        }
    }
}
