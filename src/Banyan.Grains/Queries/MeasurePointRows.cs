using System.Runtime.CompilerServices;
using System.Text;
using Banyan.Api.Model.V1;
using Banyan.Storage.Columns;
using Banyan.Storage.Values;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Queries;

/// <summary>
/// The data points of a measure query's answer kept as the rows they come from, for the gRPC answer to write them as
/// protobuf bytes straight from the rows' columns (<see cref="EncodeDataPoints"/>): the same bytes as the
/// <c>DataPoint</c> objects the query would otherwise build (the point, its timestamp, each tag, field and value: five
/// objects a point without tags, three more a tag), which are built only to be encoded and dropped. Building them took
/// as long as the engine's read in a query of one series' 360 raw points (docs/benchmarks.md, "Q1's first runs, split
/// between the silo and the rest").
/// </summary>
/// <remarks>
/// The query executor makes one for a page of raw points when its caller asks for points as bytes
/// (<see cref="MeasureQueryRunner.QueryAsync"/>) and attaches it to the answer (<see cref="AttachTo"/>), whose
/// <c>data_points</c> stay empty; the gRPC method's marshaller takes it back (<see cref="TryTakeFrom"/>) and writes the
/// points first (field 1), then the rest of the answer (the HTTP gateway, which calls the same method, takes it back
/// and adds <see cref="ToDataPoints"/> to the answer). The rules are those of <c>MeasureQueryExecutor.ToPoint</c> with
/// <see cref="ResultValues"/>: every projected tag and field present (a value the row lacks, or of a type the message
/// cannot hold, as null), the timestamp always, series id and version when not 0; fields at their default value left out
/// as protobuf leaves them out, a oneof member always written. Pinned against the objects' bytes by
/// <c>MeasurePointRowsTests</c>.
/// </remarks>
public sealed class MeasurePointRows
{
    private static readonly ConditionalWeakTable<MeasureV1.QueryResponse, MeasurePointRows> s_attached = [];

    private readonly IReadOnlyList<ResultRow> _rows;
    private readonly Func<ResultRow, string, ResultRow> _sourceOf;
    private readonly (byte[] Name, (string Tag, byte[] Key)[] Tags, string Family)[] _families;
    private readonly (string Name, byte[] Bytes)[] _fields;
    private readonly Func<ResultRow, MeasureV1.DataPoint> _toPoint;

    /// <param name="rows">The points' rows, in the answer's order.</param>
    /// <param name="sourceOf">The row a tag of a row is read from (itself, or its series' latest for a tag kept per series).</param>
    /// <param name="projection">The tags asked for, or null.</param>
    /// <param name="fields">The fields asked for.</param>
    /// <param name="toPoint">The same point as an object (<see cref="ToDataPoints"/>).</param>
    internal MeasurePointRows(IReadOnlyList<ResultRow> rows, Func<ResultRow, string, ResultRow> sourceOf, TagProjection? projection, IReadOnlyList<string> fields, Func<ResultRow, MeasureV1.DataPoint> toPoint)
    {
        _rows = rows;
        _sourceOf = sourceOf;
        _toPoint = toPoint;
        _families = projection is null
            ? []
            : [.. projection.TagFamilies.Select(f => (Encoding.UTF8.GetBytes(f.Name), f.Tags.Select(t => (t, Encoding.UTF8.GetBytes(t))).ToArray(), f.Name))];
        _fields = [.. fields.Select(f => (f, Encoding.UTF8.GetBytes(f)))];
    }

    /// <summary>Attaches these points to <paramref name="response"/>, whose <c>data_points</c> they stand for.</summary>
    public void AttachTo(MeasureV1.QueryResponse response) => s_attached.AddOrUpdate(response, this);

    /// <summary>The points attached to <paramref name="response"/>, detached; false when it has none.</summary>
    public static bool TryTakeFrom(MeasureV1.QueryResponse response, out MeasurePointRows? points)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (s_attached.TryGetValue(response, out points))
        {
            s_attached.Remove(response);
            return true;
        }

        return false;
    }

    /// <summary>The points as objects (for an answer that is not written by the gRPC marshaller after all).</summary>
    public IEnumerable<MeasureV1.DataPoint> ToDataPoints() => _rows.Select(_toPoint);

    /// <summary>The bytes of the answer's <c>data_points</c>: each point as field 1 of <c>QueryResponse</c>, in order.</summary>
    public byte[] EncodeDataPoints()
    {
        ProtoBytesWriter writer = new(64 + (_rows.Count * 64));
        WriteBatchColumns columns = default;
        foreach (ResultRow row in _rows)
        {
            columns = columns.For(row, _families, _fields);
            writer.Tag(1, ProtoBytesWriter.LengthDelimited);
            int point = writer.BeginMessage();
            writer.Tag(1, ProtoBytesWriter.LengthDelimited);
            WriteTimestamp(writer, row.Timestamp);
            for (int f = 0; f < _families.Length; f++)
            {
                (byte[] name, (string Tag, byte[] Key)[] tags, string family) = _families[f];
                writer.Tag(2, ProtoBytesWriter.LengthDelimited);
                int familyStart = writer.BeginMessage();
                WriteFirstString(writer, name);

                for (int t = 0; t < tags.Length; t++)
                {
                    writer.Tag(2, ProtoBytesWriter.LengthDelimited);
                    int tagStart = writer.BeginMessage();
                    WriteFirstString(writer, tags[t].Key);

                    ResultRow source = _sourceOf(row, tags[t].Tag);
                    int column = ReferenceEquals(source.Batch, row.Batch) ? columns.Tags[f][t] : source.Batch.FindColumn(family, tags[t].Tag);
                    writer.Tag(2, ProtoBytesWriter.LengthDelimited);
                    WriteTagValue(writer, column < 0 ? null : source.Batch.Columns[column], source.Index);
                    writer.EndMessage(tagStart);
                }

                writer.EndMessage(familyStart);
            }

            for (int f = 0; f < _fields.Length; f++)
            {
                writer.Tag(3, ProtoBytesWriter.LengthDelimited);
                int fieldStart = writer.BeginMessage();
                WriteFirstString(writer, _fields[f].Bytes);

                int column = columns.Fields[f];
                writer.Tag(2, ProtoBytesWriter.LengthDelimited);
                WriteFieldValue(writer, column < 0 ? null : row.Batch.Columns[column], row.Index);
                writer.EndMessage(fieldStart);
            }

            if (row.SeriesId != 0)
            {
                writer.Tag(4, ProtoBytesWriter.Varint);
                writer.WriteVarint(row.SeriesId);
            }

            if (row.Version != 0)
            {
                writer.Tag(5, ProtoBytesWriter.Varint);
                writer.WriteVarint((ulong)row.Version);
            }

            writer.EndMessage(point);
        }

        return writer.Written.ToArray();
    }

    // google.protobuf.Timestamp of ResultValues.ToTimestamp: seconds and non-negative nanos, each left out when 0.
    private static void WriteTimestamp(ProtoBytesWriter writer, long nanos)
    {
        (long seconds, int remainder) = ResultValues.SplitNanos(nanos);
        int start = writer.BeginMessage();
        if (seconds != 0)
        {
            writer.Tag(1, ProtoBytesWriter.Varint);
            writer.WriteVarint((ulong)seconds);
        }

        if (remainder != 0)
        {
            writer.Tag(2, ProtoBytesWriter.Varint);
            writer.WriteVarint((ulong)remainder);
        }

        writer.EndMessage(start);
    }

    // TagValue of ResultValues.ToTag: null = 1, str = 2, str_array = 3, int = 4, int_array = 5, binary_data = 6,
    // timestamp = 7; a float column (no member for it) as null.
    private static readonly ValueMembers s_tagValue = new(Str: 2, Int: 4, Binary: 6, Float: 0, StrArray: 3, IntArray: 5, Timestamp: 7);

    // FieldValue of ResultValues.ToField: null = 1, str = 2, int = 3, binary_data = 4, float = 5; other types as null.
    private static readonly ValueMembers s_fieldValue = new(Str: 2, Int: 3, Binary: 4, Float: 5, StrArray: 0, IntArray: 0, Timestamp: 0);

    private static void WriteTagValue(ProtoBytesWriter writer, ColumnBuffer? column, int row) => WriteValue(writer, column, row, s_tagValue);

    private static void WriteFieldValue(ProtoBytesWriter writer, ColumnBuffer? column, int row) => WriteValue(writer, column, row, s_fieldValue);

    // A TagValue or FieldValue: a oneof whose null member is field 1 in both, the others numbered per message (0: the
    // message has no member for the column's type, which then goes as null, as ResultValues makes it).
    private static void WriteValue(ProtoBytesWriter writer, ColumnBuffer? column, int row, ValueMembers members)
    {
        int start = writer.BeginMessage();
        int member = column is null || column.IsNull(row) ? 0 : column.Type switch
        {
            ColumnValueType.String => members.Str,
            ColumnValueType.Int64 => members.Int,
            ColumnValueType.Binary => members.Binary,
            ColumnValueType.Float64 => members.Float,
            ColumnValueType.StringArray => members.StrArray,
            ColumnValueType.Int64Array => members.IntArray,
            ColumnValueType.Timestamp => members.Timestamp,
            _ => 0,
        };
        if (member == 0)
        {
            WriteNull(writer);
            writer.EndMessage(start);
            return;
        }

        writer.Tag(member, ProtoBytesWriter.LengthDelimited);
        switch (column!.Type)
        {
            case ColumnValueType.String:
                WriteStr(writer, column.GetBytes(row));
                break;
            case ColumnValueType.Int64:
                WriteInt(writer, column.GetInt64(row));
                break;
            case ColumnValueType.Binary:
                writer.WriteBytes(column.GetBytes(row));
                break;
            case ColumnValueType.Float64:
                int number = writer.BeginMessage();
                double value = column.GetDouble(row);
                if (value != 0d)
                {
                    writer.Tag(1, ProtoBytesWriter.Fixed64);
                    writer.WriteFixed64((ulong)BitConverter.DoubleToInt64Bits(value));
                }

                writer.EndMessage(number);
                break;
            case ColumnValueType.StringArray:
                int strings = writer.BeginMessage();
                foreach (string element in column.GetStringArray(row)!)
                {
                    writer.Tag(1, ProtoBytesWriter.LengthDelimited);
                    writer.WriteBytes(Encoding.UTF8.GetBytes(element));
                }

                writer.EndMessage(strings);
                break;
            case ColumnValueType.Int64Array:
                int ints = writer.BeginMessage();
                long[] values = column.GetInt64Array(row)!;
                if (values.Length > 0)
                {
                    writer.Tag(1, ProtoBytesWriter.LengthDelimited);
                    int packed = writer.BeginMessage();
                    foreach (long element in values)
                    {
                        writer.WriteVarint((ulong)element);
                    }

                    writer.EndMessage(packed);
                }

                writer.EndMessage(ints);
                break;
            default: // Timestamp
                WriteTimestamp(writer, column.GetInt64(row));
                break;
        }

        writer.EndMessage(start);
    }

    // The oneof's null member (NullValue.NULL_VALUE, 0): set, so written although 0.
    private static void WriteNull(ProtoBytesWriter writer)
    {
        writer.Tag(1, ProtoBytesWriter.Varint);
        writer.WriteVarint(0);
    }

    // Field 1 of a message when it is a string (a family's or field's name, a tag's key, a Str's value): left out when
    // empty, as protobuf leaves out a string at its default.
    private static void WriteFirstString(ProtoBytesWriter writer, ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 0)
        {
            writer.Tag(1, ProtoBytesWriter.LengthDelimited);
            writer.WriteBytes(utf8);
        }
    }

    // Str / Int messages: their one field, left out when empty or 0.
    private static void WriteStr(ProtoBytesWriter writer, ReadOnlySpan<byte> utf8)
    {
        int start = writer.BeginMessage();
        WriteFirstString(writer, utf8);
        writer.EndMessage(start);
    }

    private static void WriteInt(ProtoBytesWriter writer, long value)
    {
        int start = writer.BeginMessage();
        if (value != 0)
        {
            writer.Tag(1, ProtoBytesWriter.Varint);
            writer.WriteVarint((ulong)value);
        }

        writer.EndMessage(start);
    }

    // The oneof members of a value message by column type (0: none).
    private readonly record struct ValueMembers(int Str, int Int, int Binary, int Float, int StrArray, int IntArray, int Timestamp);

    // The columns of the projected tags and fields in the batch of the rows being written, looked up again only when the
    // batch changes (a page's rows come batch by batch: one per shard).
    private readonly struct WriteBatchColumns(Banyan.Storage.Rows.WriteBatch? batch, int[][] tags, int[] fields)
    {
        public int[][] Tags { get; } = tags;

        public int[] Fields { get; } = fields;

        public WriteBatchColumns For(ResultRow row, (byte[] Name, (string Tag, byte[] Key)[] Tags, string Family)[] families, (string Name, byte[] Bytes)[] projectedFields)
        {
            if (ReferenceEquals(batch, row.Batch) && Tags is not null)
            {
                return this;
            }

            Banyan.Storage.Rows.WriteBatch rows = row.Batch;
            int[][] tagColumns = [.. families.Select(f => f.Tags.Select(t => rows.FindColumn(f.Family, t.Tag)).ToArray())];
            int[] fieldColumns = [.. projectedFields.Select(f => rows.FindColumn(null, f.Name))];
            return new WriteBatchColumns(rows, tagColumns, fieldColumns);
        }
    }
}
