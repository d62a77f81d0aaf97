using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Banyan.Conformance.Comparison;

/// <summary>Renders protobuf values for difference reports: protojson for messages, JSON-like literals for scalars.</summary>
public static class ValueText
{
    private const int MaxLength = 240;

    private static readonly JsonFormatter s_formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    /// <summary>Renders <paramref name="value"/>, a value of <paramref name="field"/> (null for whole messages).</summary>
    public static string Of(object? value, FieldDescriptor? field = null) => Truncate(value switch
    {
        null => "(not set)",
        IMessage message => Message(message),
        string text => Quote(text),
        ByteString bytes => $"bytes({bytes.ToBase64()})",
        bool flag => flag ? "true" : "false",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        float number => number.ToString("R", CultureInfo.InvariantCulture),
        Enum when field?.FieldType == FieldType.Enum => EnumName(field, Convert.ToInt32(value, CultureInfo.InvariantCulture)),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IList list => $"[{list.Count} items]",
        _ => value.ToString() ?? string.Empty,
    });

    private static string Message(IMessage message)
    {
        try
        {
            return s_formatter.Format(message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // e.g. a Timestamp outside protojson's range ("invalid time range" sends one): show the raw fields.
            return $"{message.Descriptor.Name} {{{string.Join(", ", message.Descriptor.Fields.InDeclarationOrder().Select(f => $"{f.Name}: {f.Accessor.GetValue(message)}"))}}}";
        }
    }

    private static string EnumName(FieldDescriptor field, int number) =>
        field.EnumType.FindValueByNumber(number)?.Name ?? number.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static string Truncate(string text) => text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength), "…");
}
