using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.Storage.Values;
using TagValue = Banyan.Api.Model.V1.TagValue;

namespace Banyan.Grains.Writes;

/// <summary>
/// How BanyanDB's tag and field types map to the engine's column types, and how a written protobuf value becomes a
/// column value when it has the declared type (or is null).
/// </summary>
internal static class ValueTypes
{
    /// <summary>The column type of a tag of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The type is unspecified or unknown (the schema registry refuses such schemas).</exception>
    public static ColumnValueType OfTag(TagType type) => type switch
    {
        TagType.String => ColumnValueType.String,
        TagType.Int => ColumnValueType.Int64,
        TagType.StringArray => ColumnValueType.StringArray,
        TagType.IntArray => ColumnValueType.Int64Array,
        TagType.DataBinary => ColumnValueType.Binary,
        TagType.Timestamp => ColumnValueType.Timestamp,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "a stored tag type"),
    };

    /// <summary>The column type of a field of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The type is unspecified or unknown (the schema registry refuses such schemas).</exception>
    public static ColumnValueType OfField(FieldType type) => type switch
    {
        FieldType.String => ColumnValueType.String,
        FieldType.Int => ColumnValueType.Int64,
        FieldType.Float => ColumnValueType.Float64,
        FieldType.DataBinary => ColumnValueType.Binary,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "a stored field type"),
    };

    /// <summary>
    /// The column value of tag value <paramref name="value"/> for a column of <paramref name="type"/>: null for a null
    /// (or unset) value; false, with <paramref name="actual"/> naming what was written, when the value has another type.
    /// </summary>
    public static bool TryTag(TagValue? value, ColumnValueType type, out ColumnValue column, out string actual)
    {
        column = ColumnValue.Null;
        actual = string.Empty;
        if (value is null)
        {
            return true;
        }

        switch (value.ValueCase)
        {
            case TagValue.ValueOneofCase.None:
            case TagValue.ValueOneofCase.Null:
                return true;
            case TagValue.ValueOneofCase.Str when type == ColumnValueType.String:
                column = ColumnValue.FromString(value.Str.Value);
                return true;
            case TagValue.ValueOneofCase.Int when type == ColumnValueType.Int64:
                column = ColumnValue.FromInt64(value.Int.Value);
                return true;
            case TagValue.ValueOneofCase.BinaryData when type == ColumnValueType.Binary:
                column = ColumnValue.FromBinary(value.BinaryData.ToByteArray());
                return true;
            case TagValue.ValueOneofCase.StrArray when type == ColumnValueType.StringArray:
                column = ColumnValue.FromStringArray([.. value.StrArray.Value]);
                return true;
            case TagValue.ValueOneofCase.IntArray when type == ColumnValueType.Int64Array:
                column = ColumnValue.FromInt64Array([.. value.IntArray.Value]);
                return true;
            case TagValue.ValueOneofCase.Timestamp when type == ColumnValueType.Timestamp:
                if (!WriteTimestamps.TryToUnixNanos(value.Timestamp, out long nanos, out string reason))
                {
                    actual = "a timestamp that " + reason;
                    return false;
                }

                column = ColumnValue.FromTimestamp(nanos);
                return true;
            default:
                actual = Describe(value.ValueCase);
                return false;
        }
    }

    /// <summary>As <see cref="TryTag"/>, for a field value.</summary>
    public static bool TryField(FieldValue? value, ColumnValueType type, out ColumnValue column, out string actual)
    {
        column = ColumnValue.Null;
        actual = string.Empty;
        if (value is null)
        {
            return true;
        }

        switch (value.ValueCase)
        {
            case FieldValue.ValueOneofCase.None:
            case FieldValue.ValueOneofCase.Null:
                return true;
            case FieldValue.ValueOneofCase.Str when type == ColumnValueType.String:
                column = ColumnValue.FromString(value.Str.Value);
                return true;
            case FieldValue.ValueOneofCase.Int when type == ColumnValueType.Int64:
                column = ColumnValue.FromInt64(value.Int.Value);
                return true;
            case FieldValue.ValueOneofCase.Float when type == ColumnValueType.Float64:
                column = ColumnValue.FromFloat64(value.Float.Value);
                return true;
            case FieldValue.ValueOneofCase.BinaryData when type == ColumnValueType.Binary:
                column = ColumnValue.FromBinary(value.BinaryData.ToByteArray());
                return true;
            default:
                actual = value.ValueCase switch
                {
                    FieldValue.ValueOneofCase.Str => "a string",
                    FieldValue.ValueOneofCase.Int => "an int",
                    FieldValue.ValueOneofCase.Float => "a float",
                    FieldValue.ValueOneofCase.BinaryData => "binary data",
                    _ => value.ValueCase.ToString(),
                };
                return false;
        }
    }

    /// <summary>The engine value of a non-null entity column value (series keys and shard routing take these).</summary>
    public static Banyan.Storage.Values.TagValue ToEntityValue(in ColumnValue value) => value.Type switch
    {
        ColumnValueType.String => Banyan.Storage.Values.TagValue.FromString((string)value.Reference!),
        ColumnValueType.Int64 => Banyan.Storage.Values.TagValue.FromInt64(value.Int64Value),
        ColumnValueType.Binary => Banyan.Storage.Values.TagValue.FromBinary((byte[])value.Reference!),
        ColumnValueType.Timestamp => Banyan.Storage.Values.TagValue.FromTimestampNanos(value.Int64Value),
        _ => throw new ArgumentException($"an entity value cannot be a {value.Type}; the schema registry allows scalar entity tags only", nameof(value)),
    };

    /// <summary>The column value of an entity value (the inverse of <see cref="ToEntityValue"/>).</summary>
    public static ColumnValue FromEntityValue(Banyan.Storage.Values.TagValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Kind switch
        {
            Banyan.Storage.Values.TagValueKind.Str => ColumnValue.FromString(value.Text),
            Banyan.Storage.Values.TagValueKind.Number => ColumnValue.FromInt64(value.Number),
            Banyan.Storage.Values.TagValueKind.Binary => ColumnValue.FromBinary((byte[])value.Bytes!.Clone()),
            Banyan.Storage.Values.TagValueKind.Timestamp => ColumnValue.FromTimestamp(value.Number),
            _ => throw new ArgumentException($"an entity value cannot be {value.Kind}", nameof(value)),
        };
    }

    /// <summary>The schema's name of a column type, as the protobuf enum names it, for messages.</summary>
    public static string DeclaredName(ColumnValueType type, bool field) => field
        ? type switch
        {
            ColumnValueType.String => "FIELD_TYPE_STRING",
            ColumnValueType.Int64 => "FIELD_TYPE_INT",
            ColumnValueType.Float64 => "FIELD_TYPE_FLOAT",
            _ => "FIELD_TYPE_DATA_BINARY",
        }
        : type switch
        {
            ColumnValueType.String => "TAG_TYPE_STRING",
            ColumnValueType.Int64 => "TAG_TYPE_INT",
            ColumnValueType.StringArray => "TAG_TYPE_STRING_ARRAY",
            ColumnValueType.Int64Array => "TAG_TYPE_INT_ARRAY",
            ColumnValueType.Binary => "TAG_TYPE_DATA_BINARY",
            _ => "TAG_TYPE_TIMESTAMP",
        };

    private static string Describe(TagValue.ValueOneofCase kind) => kind switch
    {
        TagValue.ValueOneofCase.Str => "a string",
        TagValue.ValueOneofCase.Int => "an int",
        TagValue.ValueOneofCase.BinaryData => "binary data",
        TagValue.ValueOneofCase.StrArray => "a string array",
        TagValue.ValueOneofCase.IntArray => "an int array",
        TagValue.ValueOneofCase.Timestamp => "a timestamp",
        _ => kind.ToString(),
    };
}
