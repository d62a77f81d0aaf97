using System.Text.Unicode;
using Banyan.Storage.Values;

namespace Banyan.Grains.Writes.Wire;

/// <summary>
/// Decodes a measure <c>DataPointValue</c> from its wire bytes straight into a <see cref="WireRow"/> by the layout's
/// columns: no protobuf objects, no strings (their UTF-8 bytes are appended to the columns as they are). It takes only
/// the common shape: a valid whole-millisecond timestamp, string and int tags, int, float and string fields, nulls,
/// every entity (and sharding key) tag present, each value written once. For anything else (a value of another type
/// than declared, an array, binary data, a refusal to explain, a field the message does not declare) it answers false
/// and the planner parses the element with Google.Protobuf and decides it as before, so both paths give one answer.
/// The strings of entity and sharding-key columns are not checked for valid UTF-8 here: the series cache checks them
/// when it meets a series for the first time, and a series it knows has the bytes it checked then
/// (<see cref="SeriesIdCache.Resolve(WireRow, ReadOnlySpan{byte})"/>).
/// </summary>
internal static class DataPointWireDecoder
{
    /// <summary>Fills <paramref name="row"/> from <paramref name="point"/>; false when the element needs the general path.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> point, SubjectLayout layout, WireRow row)
    {
        row.Clear();
        row.Version = 0;
        bool timestamped = false;
        int families = 0;
        int fields = 0;
        bool familiesInOneRun = true;
        WireSeries? predicted = layout.SeriesIds.Predicted;
        ProtobufWireReader reader = new(point);
        while (!reader.AtEnd)
        {
            int fieldStart = reader.Position;
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return false;
            }

            // The series the cache expects next carries its families in these bytes, usually: taken as they were read
            // the last time (see WireTagFamilies). Its first family only, so that a family after them is read as one more.
            if (field == 2 && families == 0 && predicted?.Families is { } recorded && recorded.TryApply(point, fieldStart, row))
            {
                reader.MoveTo(fieldStart + recorded.Length);
                families = recorded.FamilyCount;
                row.FamiliesOf = predicted;
                familiesInOneRun = false; // recorded already: nothing to record from this point
                continue;
            }

            if (field == 4 && wireType == ProtobufWireReader.Varint)
            {
                if (!reader.TryReadVarint(out ulong version))
                {
                    return false;
                }

                row.Version = unchecked((long)version);
                continue;
            }

            if (wireType != ProtobufWireReader.LengthDelimited || !reader.TryReadLengthDelimited(out int start, out int length))
            {
                return false;
            }

            ReadOnlySpan<byte> inner = point.Slice(start, length);
            switch (field)
            {
                case 1 when !timestamped:
                    if (!row.TryRecallTimestamp(inner, out long nanos))
                    {
                        if (!TryTimestamp(inner, out nanos))
                        {
                            return false;
                        }

                        row.RememberTimestamp(inner, nanos);
                    }

                    row.Timestamp = nanos;
                    timestamped = true;
                    break;
                case 2 when families < layout.WrittenFamilyCount:
                    if (!TryFamily(inner, start, layout, layout.WrittenTagColumns(families), row))
                    {
                        return false;
                    }

                    // The families' extent, for recording them (WireTagFamilies.Of): one run of family fields only.
                    // A family after recorded ones makes the point's entity more than the recorded series'.
                    row.FamiliesOf = null;
                    if (families == 0)
                    {
                        row.FamiliesStart = fieldStart;
                    }
                    else if (fieldStart != row.FamiliesEnd)
                    {
                        familiesInOneRun = false;
                    }

                    row.FamiliesEnd = start + length;
                    families++;
                    break;
                case 3 when fields < layout.WrittenFieldColumns.Length:
                    int column = layout.WrittenFieldColumns[fields];
                    if (!TryFieldValue(inner, start, layout.Columns[column].Type, column, layout.SeriesKeyColumns, row))
                    {
                        return false;
                    }

                    fields++;
                    break;
                default:
                    return false;
            }
        }

        row.FamilyCount = families;
        if (!familiesInOneRun)
        {
            row.FamiliesStart = -1;
        }

        return timestamped && families > 0 && AllPresent(layout.EntityColumns, row) && (layout.ShardingColumns is not { } sharding || AllPresent(sharding, row));
    }

    private static bool TryTimestamp(ReadOnlySpan<byte> timestamp, out long nanos)
    {
        nanos = 0;
        long seconds = 0;
        int subsecond = 0;
        ProtobufWireReader reader = new(timestamp);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType) || wireType != ProtobufWireReader.Varint || field is not (1 or 2) || !reader.TryReadVarint(out ulong value))
            {
                return false;
            }

            if (field == 1)
            {
                seconds = unchecked((long)value);
            }
            else
            {
                subsecond = unchecked((int)value); // int32 on the wire: the parser keeps the low 32 bits
            }
        }

        return WriteTimestamps.TryToUnixNanos(seconds, subsecond, out nanos, out _);
    }

    private static bool TryFamily(ReadOnlySpan<byte> family, int familyStart, SubjectLayout layout, int[] columns, WireRow row)
    {
        int tags = 0;
        ProtobufWireReader reader = new(family);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType) || field != 1 || wireType != ProtobufWireReader.LengthDelimited
                || !reader.TryReadLengthDelimited(out int start, out int length) || tags >= columns.Length)
            {
                return false;
            }

            int column = columns[tags++];
            if (column < 0 || !TryTagValue(family.Slice(start, length), familyStart + start, layout.Columns[column].Type, column, layout.SeriesKeyColumns, row))
            {
                return false;
            }
        }

        return true;
    }

    // TagValue: null = 1, str = 2, int = 4 taken; arrays, binary and timestamps go the general way.
    private static bool TryTagValue(ReadOnlySpan<byte> tag, int tagStart, ColumnValueType type, int column, bool[] seriesKey, WireRow row)
        => TryOneValue(tag, tagStart, type, column, seriesKey, row, strField: 2, intField: 4, floatField: -1);

    // FieldValue: null = 1, str = 2, int = 3, float = 5 taken; binary goes the general way.
    private static bool TryFieldValue(ReadOnlySpan<byte> value, int valueStart, ColumnValueType type, int column, bool[] seriesKey, WireRow row)
        => TryOneValue(value, valueStart, type, column, seriesKey, row, strField: 2, intField: 3, floatField: 5);

    // A TagValue or FieldValue: a oneof whose null member is field 1 in both, the others numbered per message.
    private static bool TryOneValue(ReadOnlySpan<byte> value, int valueStart, ColumnValueType type, int column, bool[] seriesKey, WireRow row, int strField, int intField, int floatField)
    {
        row.Kinds[column] = WireValueKind.Null; // no member set, or null: a later value for the same column replaces an earlier one
        ProtobufWireReader reader = new(value);
        if (reader.AtEnd)
        {
            return true;
        }

        if (!reader.TryReadTag(out int field, out int wireType))
        {
            return false;
        }

        bool ok;
        if (field == 1 && wireType == ProtobufWireReader.Varint)
        {
            ok = reader.TryReadVarint(out _);
        }
        else if (wireType != ProtobufWireReader.LengthDelimited)
        {
            ok = false;
        }
        else if (field == strField && type == ColumnValueType.String)
        {
            ok = TryStr(ref reader, value, valueStart, column, row, checkUtf8: !seriesKey[column]);
        }
        else if (field == intField && type == ColumnValueType.Int64)
        {
            ok = TryInt(ref reader, value, column, row);
        }
        else
        {
            ok = field == floatField && type == ColumnValueType.Float64 && TryFloat(ref reader, value, column, row);
        }

        return ok && reader.AtEnd; // a second member (the last would win) goes the general way
    }

    // Str { string value = 1; }: the bytes stay where they are; an empty Str is the empty string. Without checkUtf8 the
    // caller checks the bytes (a series key column's, see the class's summary).
    private static bool TryStr(ref ProtobufWireReader outer, ReadOnlySpan<byte> container, int containerStart, int column, WireRow row, bool checkUtf8)
    {
        if (!outer.TryReadLengthDelimited(out int start, out int length))
        {
            return false;
        }

        ReadOnlySpan<byte> str = container.Slice(start, length);
        int textStart = 0;
        int textLength = 0;
        ProtobufWireReader reader = new(str);
        if (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType) || field != 1 || wireType != ProtobufWireReader.LengthDelimited
                || !reader.TryReadLengthDelimited(out textStart, out textLength) || !reader.AtEnd
                || (checkUtf8 && !Utf8.IsValid(str.Slice(textStart, textLength))))
            {
                return false;
            }
        }

        row.Kinds[column] = WireValueKind.Utf8;
        row.Starts[column] = containerStart + start + textStart;
        row.Lengths[column] = textLength;
        return true;
    }

    // Int { int64 value = 1; }: an empty Int is 0.
    private static bool TryInt(ref ProtobufWireReader outer, ReadOnlySpan<byte> container, int column, WireRow row)
        => TryNumber(ref outer, container, ProtobufWireReader.Varint, WireValueKind.Int64, column, row);

    // Float { double value = 1; }: an empty Float is 0, the value's bits kept as they are.
    private static bool TryFloat(ref ProtobufWireReader outer, ReadOnlySpan<byte> container, int column, WireRow row)
        => TryNumber(ref outer, container, ProtobufWireReader.Fixed64, WireValueKind.Float64, column, row);

    // A message whose only field, 1, is one number of wireType (Int, Float).
    private static bool TryNumber(ref ProtobufWireReader outer, ReadOnlySpan<byte> container, int wireType, WireValueKind kind, int column, WireRow row)
    {
        if (!outer.TryReadLengthDelimited(out int start, out int length))
        {
            return false;
        }

        ulong value = 0;
        ProtobufWireReader reader = new(container.Slice(start, length));
        if (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int actualWireType) || field != 1 || actualWireType != wireType)
            {
                return false;
            }

            bool read = wireType == ProtobufWireReader.Varint ? reader.TryReadVarint(out value) : reader.TryReadFixed64(out value);
            if (!read || !reader.AtEnd)
            {
                return false;
            }
        }

        row.Kinds[column] = kind;
        row.Numbers[column] = unchecked((long)value);
        return true;
    }

    private static bool AllPresent(int[] columns, WireRow row)
    {
        foreach (int column in columns)
        {
            if (column < 0 || row.Kinds[column] == WireValueKind.Null)
            {
                return false;
            }
        }

        return true;
    }
}
