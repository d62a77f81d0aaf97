using System.Globalization;
using Banyan.Api.Model.V1;
using Google.Protobuf.WellKnownTypes;
using CommonV1 = Banyan.Api.Common.V1;

namespace Banyan.Cli.Output;

/// <summary>How values look in tables: timestamps in UTC ISO 8601, arrays comma-separated, binary in base64, null empty.</summary>
public static class ValueText
{
    /// <summary>A timestamp as <c>2026-12-02T09:51:16.123Z</c> (milliseconds only when there are some); empty when unset.</summary>
    public static string Of(Timestamp? timestamp)
    {
        if (timestamp is null)
        {
            return string.Empty;
        }

        DateTime t = timestamp.ToDateTime();
        return t.Millisecond == 0 && t.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>A tag value.</summary>
    public static string Of(TagValue? value) => value?.ValueCase switch
    {
        TagValue.ValueOneofCase.Str => value.Str.Value,
        TagValue.ValueOneofCase.Int => value.Int.Value.ToString(CultureInfo.InvariantCulture),
        TagValue.ValueOneofCase.StrArray => string.Join(", ", value.StrArray.Value),
        TagValue.ValueOneofCase.IntArray => string.Join(", ", value.IntArray.Value.Select(v => v.ToString(CultureInfo.InvariantCulture))),
        TagValue.ValueOneofCase.BinaryData => value.BinaryData.ToBase64(),
        TagValue.ValueOneofCase.Timestamp => Of(value.Timestamp),
        _ => string.Empty,
    };

    /// <summary>A field value.</summary>
    public static string Of(FieldValue? value) => value?.ValueCase switch
    {
        FieldValue.ValueOneofCase.Str => value.Str.Value,
        FieldValue.ValueOneofCase.Int => value.Int.Value.ToString(CultureInfo.InvariantCulture),
        FieldValue.ValueOneofCase.Float => value.Float.Value.ToString("R", CultureInfo.InvariantCulture),
        FieldValue.ValueOneofCase.BinaryData => value.BinaryData.ToBase64(),
        _ => string.Empty,
    };

    /// <summary>An interval rule as <c>1 day</c>, <c>12 hours</c>; empty when unset.</summary>
    public static string Of(CommonV1.IntervalRule? rule) => rule is null || rule.Unit == CommonV1.IntervalRule.Types.Unit.Unspecified
        ? string.Empty
        : $"{rule.Num} {(rule.Unit == CommonV1.IntervalRule.Types.Unit.Day ? "day" : "hour")}{(rule.Num == 1 ? string.Empty : "s")}";

    /// <summary>An enum value by the short part of its protobuf name (<c>CATALOG_MEASURE</c> → <c>MEASURE</c>).</summary>
    public static string EnumName(System.Enum value, string prefix)
    {
        ArgumentNullException.ThrowIfNull(value);
        string name = value.GetType().GetField(value.ToString())?
            .GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
            .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().FirstOrDefault()?.Name ?? value.ToString();
        return name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;
    }
}
