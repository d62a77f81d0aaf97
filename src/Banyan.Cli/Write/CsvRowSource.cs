using System.Globalization;
using System.Text;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Cli.Write;

/// <summary>
/// CSV rows: a header (<see cref="CsvColumns"/>) and one point or element per record, each cell converted by the
/// schema's type of its column: strings as they are, ints as 64-bit integers, floats, arrays with <c>;</c> between
/// items, binary data in base64, timestamps in RFC 3339 or Unix milliseconds; an empty cell is null. The first request
/// carries the write spec naming the columns, so values need not follow the schema's order.
/// </summary>
public sealed class CsvRowSource : IWriteRowSource
{
    private readonly CountingStream _input;
    private readonly StreamReader _text;
    private readonly CsvRecordReader _reader;
    private readonly WriteTarget _target;
    private readonly IReadOnlyList<CsvColumn> _columns;
    private readonly List<string> _families = [];

    /// <summary>Reads the header of <paramref name="input"/> and maps it onto the schema.</summary>
    /// <exception cref="InputFileException">The file has no header, or the header does not fit the schema.</exception>
    public CsvRowSource(System.IO.Stream input, long? length, string source, WriteTarget target, IEnumerable<TagFamilySpec> families, IEnumerable<FieldSpec> fields, string subject)
    {
        _input = new CountingStream(input);
        _text = new StreamReader(_input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        _reader = new CsvRecordReader(_text, source);
        _target = target;
        Length = length;
        (List<string> Fields, long Line) header = _reader.Next() ?? throw new InputFileException(source, 1, "the file is empty: a CSV file starts with a header naming its columns");
        _columns = CsvColumns.Map(header.Fields, families, fields, target, subject, source, header.Line);
        foreach (CsvColumn column in _columns.Where(c => c.Role == CsvColumnRole.Tag))
        {
            if (!_families.Contains(column.Family))
            {
                _families.Add(column.Family);
            }
        }

        Spec = BuildSpec();
    }

    /// <inheritdoc/>
    public long Position => _input.BytesRead;

    /// <inheritdoc/>
    public long? Length { get; }

    /// <summary>
    /// The write spec of the columns (a <c>DataPointSpec</c> for measures; for streams, a <c>WriteRequest</c> whose only
    /// content is its <c>tag_family_spec</c>), for the first request.
    /// </summary>
    public IMessage Spec { get; }

    /// <summary>Puts the spec on <paramref name="request"/> (the first one sent).</summary>
    public void ApplySpec(IMessage request)
    {
        switch (request)
        {
            case MeasureV1.WriteRequest m:
                m.DataPointSpec = (MeasureV1.DataPointSpec)Spec;
                break;
            case StreamV1.WriteRequest s:
                s.TagFamilySpec.Clear();
                s.TagFamilySpec.Add(((StreamV1.WriteRequest)Spec).TagFamilySpec);
                break;
        }
    }

    /// <inheritdoc/>
    public WriteRow? Next()
    {
        if (_reader.Next() is not { } record)
        {
            return null;
        }

        if (record.Fields.Count != _columns.Count)
        {
            return WriteRow.Bad(record.Line, $"the row has {record.Fields.Count} cells, the header {_columns.Count}");
        }

        try
        {
            return WriteRow.Ok(record.Line, Build(record.Fields));
        }
        catch (FormatException e)
        {
            return WriteRow.Bad(record.Line, e.Message);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _text.Dispose();

    private IMessage BuildSpec()
    {
        List<string> FamilyTags(string family) => [.. _columns.Where(c => c.Role == CsvColumnRole.Tag && c.Family == family).Select(c => c.Name)];
        if (_target == WriteTarget.Measure)
        {
            MeasureV1.DataPointSpec spec = new();
            foreach (string family in _families)
            {
                spec.TagFamilySpec.Add(new MeasureV1.TagFamilySpec { Name = family, TagNames = { FamilyTags(family) } });
            }

            spec.FieldNames.Add(_columns.Where(c => c.Role == CsvColumnRole.Field).Select(c => c.Name));
            return spec;
        }

        StreamV1.WriteRequest holder = new();
        foreach (string family in _families)
        {
            holder.TagFamilySpec.Add(new StreamV1.TagFamilySpec { Name = family, TagNames = { FamilyTags(family) } });
        }

        return holder;
    }

    private IMessage Build(List<string> cells)
    {
        Timestamp? timestamp = null;
        long version = 0;
        string elementId = string.Empty;
        List<TagFamilyForWrite> families = [.. _families.Select(_ => new TagFamilyForWrite())];
        List<FieldValue> fields = [];
        for (int i = 0; i < _columns.Count; i++)
        {
            CsvColumn column = _columns[i];
            string cell = cells[i];
            try
            {
                switch (column.Role)
                {
                    case CsvColumnRole.Timestamp:
                        timestamp = ParseTimestamp(cell);
                        break;
                    case CsvColumnRole.Version:
                        version = cell.Length == 0 ? 0 : long.Parse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                        break;
                    case CsvColumnRole.ElementId:
                        elementId = cell;
                        break;
                    case CsvColumnRole.Tag:
                        families[_families.IndexOf(column.Family)].Tags.Add(TagValueOf(column.TagType, cell));
                        break;
                    default:
                        fields.Add(FieldValueOf(column.FieldType, cell));
                        break;
                }
            }
            catch (FormatException e)
            {
                throw new FormatException($"column '{column.Header}': '{cell}' {e.Message}", e);
            }
            catch (OverflowException e)
            {
                throw new FormatException($"column '{column.Header}': '{cell}' is out of the 64-bit range", e);
            }
        }

        if (_target == WriteTarget.Measure)
        {
            MeasureV1.DataPointValue point = new() { Timestamp = timestamp, Version = version };
            point.TagFamilies.Add(families);
            point.Fields.Add(fields);
            return new MeasureV1.WriteRequest { DataPoint = point };
        }

        StreamV1.ElementValue element = new() { ElementId = elementId, Timestamp = timestamp };
        element.TagFamilies.Add(families);
        return new StreamV1.WriteRequest { Element = element };
    }

    /// <summary>A timestamp cell: RFC 3339, or an integer of Unix milliseconds.</summary>
    /// <exception cref="FormatException">Neither.</exception>
    public static Timestamp ParseTimestamp(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        if (long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ms))
        {
            return Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(ms));
        }

        if (cell.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset t))
        {
            return Timestamp.FromDateTimeOffset(t);
        }

        throw new FormatException("is not a timestamp (RFC 3339 such as 2026-12-02T10:00:00Z, or Unix milliseconds)");
    }

    private static TagValue TagValueOf(TagType type, string cell)
    {
        if (cell.Length == 0)
        {
            return new TagValue { Null = NullValue.NullValue };
        }

        return type switch
        {
            TagType.Int => new TagValue { Int = new Int { Value = ParseInt(cell) } },
            TagType.StringArray => new TagValue { StrArray = new StrArray { Value = { cell.Split(';') } } },
            TagType.IntArray => new TagValue { IntArray = new IntArray { Value = { cell.Split(';').Select(ParseInt) } } },
            TagType.DataBinary => new TagValue { BinaryData = ParseBase64(cell) },
            TagType.Timestamp => new TagValue { Timestamp = ParseTimestamp(cell) },
            _ => new TagValue { Str = new Str { Value = cell } },
        };
    }

    private static FieldValue FieldValueOf(FieldType type, string cell)
    {
        if (cell.Length == 0)
        {
            return new FieldValue { Null = NullValue.NullValue };
        }

        return type switch
        {
            FieldType.Int => new FieldValue { Int = new Int { Value = ParseInt(cell) } },
            FieldType.Float => new FieldValue
            {
                Float = new Float
                {
                    Value = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : throw new FormatException("is not a number"),
                },
            },
            FieldType.DataBinary => new FieldValue { BinaryData = ParseBase64(cell) },
            _ => new FieldValue { Str = new Str { Value = cell } },
        };
    }

    private static long ParseInt(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) ? n : throw new FormatException("is not an integer");

    private static ByteString ParseBase64(string text)
    {
        try
        {
            return ByteString.FromBase64(text);
        }
        catch (FormatException e)
        {
            throw new FormatException("is not base64", e);
        }
    }
}
