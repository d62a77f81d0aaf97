using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;
using Google.Protobuf.Collections;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamSchema = Banyan.Api.Database.V1.Stream;
using StreamV1 = Banyan.Api.Stream.V1;
using TagValue = Banyan.Api.Model.V1.TagValue;

namespace Banyan.Grains.Writes;

/// <summary>
/// How the values of one stream's or measure's write requests map to columns, for one schema revision and one spec:
/// BanyanDB writes tag values positionally, family by family, in the schema's order or in the order of the spec the
/// write stream sent (<c>banyand/measure/write_standalone.go</c> <c>handleTagFamily</c>, <c>appendDataPoints</c>;
/// <c>banyand/stream/write_standalone.go</c> <c>processElements</c>). Built once per batch run and reused for every element.
/// </summary>
/// <remarks>
/// Every tag of the schema (entity tags included: they are the columns the series id is recomputed from) and every
/// field becomes a column; a tag or field the element does not carry is null. Where BanyanDB's data node silently
/// drops an element or stores a wrongly typed value as null, Banyan refuses the element with a reason (see
/// <see cref="TryRead"/>).
/// </remarks>
internal sealed class SubjectLayout
{
    private SeriesIdCache? _seriesIds;

    private readonly int[][] _tagColumns;     // written family index -> written tag index -> column
    private readonly string[] _familyNames;   // written family index -> family name (for messages)
    private readonly int[] _fieldColumns;     // written field index -> column
    private readonly string _order;           // "the schema" or "the spec", for messages

    private SubjectLayout(
        DataKind kind,
        string group,
        string subject,
        ColumnSpec[] columns,
        int[][] tagColumns,
        string[] familyNames,
        int[] fieldColumns,
        int[] entityColumns,
        int[]? shardingColumns,
        string order,
        string? specProblem)
    {
        Kind = kind;
        Group = group;
        Subject = subject;
        Columns = columns;
        _tagColumns = tagColumns;
        _familyNames = familyNames;
        _fieldColumns = fieldColumns;
        EntityColumns = entityColumns;
        ShardingColumns = shardingColumns;
        SeriesKeyColumns = new bool[columns.Length];
        foreach (int column in shardingColumns is null ? entityColumns : [.. entityColumns, .. shardingColumns])
        {
            if (column >= 0)
            {
                SeriesKeyColumns[column] = true;
            }
        }

        _order = order;
        SpecProblem = specProblem;
    }

    /// <summary>Measure or stream.</summary>
    public DataKind Kind { get; }

    /// <summary>The group.</summary>
    public string Group { get; }

    /// <summary>The stream or measure name (the series key's subject).</summary>
    public string Subject { get; }

    /// <summary>The columns rows are written with: every tag in schema order, then every field.</summary>
    public ColumnSpec[] Columns { get; }

    /// <summary>Columns of the entity tags, in entity order.</summary>
    public int[] EntityColumns { get; }

    /// <summary>Columns of a measure's sharding key, in its order; null when the shard comes from the entity.</summary>
    public int[]? ShardingColumns { get; }

    /// <summary>
    /// Per column: true for an entity or sharding-key column, whose values <see cref="SeriesIds"/> keys series by.
    /// The wire decoder leaves the UTF-8 check of these columns' strings to the cache, which checks them only for a
    /// series it has not seen (<see cref="SeriesIdCache.Resolve(Wire.WireRow, System.ReadOnlySpan{byte})"/>).
    /// </summary>
    public bool[] SeriesKeyColumns { get; }

    /// <summary>The series ids and routing hashes of the entities written with this layout (see <see cref="SeriesIdCache"/>).</summary>
    public SeriesIdCache SeriesIds => _seriesIds ??= new SeriesIdCache(Subject, EntityColumns, ShardingColumns);

    /// <summary>How many tag families an element may write (the schema's or the spec's).</summary>
    public int WrittenFamilyCount => _tagColumns.Length;

    /// <summary>The column of each tag written in family <paramref name="family"/>, by position (-1: not declared).</summary>
    public int[] WrittenTagColumns(int family) => _tagColumns[family];

    /// <summary>The column of each field written, by position (-1: not declared).</summary>
    public int[] WrittenFieldColumns => _fieldColumns;

    /// <summary>Why the spec in force cannot be applied (it names a family, tag or field the schema lacks); null when it can.</summary>
    public string? SpecProblem { get; }

    /// <summary>The layout of <paramref name="measure"/> with <paramref name="spec"/> (null: schema order).</summary>
    public static SubjectLayout ForMeasure(string group, Measure measure, MeasureV1.DataPointSpec? spec)
    {
        ArgumentNullException.ThrowIfNull(measure);
        List<ColumnSpec> columns = TagColumns(measure.TagFamilies);
        int firstField = columns.Count;
        foreach (FieldSpec field in measure.Fields)
        {
            columns.Add(new ColumnSpec(null, field.Name, ValueTypes.OfField(field.FieldType)));
        }

        ColumnSpec[] all = [.. columns];
        string? problem = null;
        int[][] tagColumns;
        string[] familyNames;
        int[] fieldColumns;
        if (spec is null)
        {
            (tagColumns, familyNames) = SchemaOrder(measure.TagFamilies, all);
            fieldColumns = [.. Enumerable.Range(firstField, measure.Fields.Count)];
        }
        else
        {
            (tagColumns, familyNames, problem) = SpecOrder(measure.TagFamilies, all, [.. spec.TagFamilySpec.Select(f => (f.Name, (IReadOnlyList<string>)f.TagNames))], "data_point_spec.tag_family_spec", $"measure '{group}/{measure.Metadata?.Name}'");
            fieldColumns = new int[spec.FieldNames.Count];
            for (int i = 0; i < spec.FieldNames.Count; i++)
            {
                fieldColumns[i] = Find(all, null, spec.FieldNames[i]);
                if (fieldColumns[i] < 0)
                {
                    problem ??= $"data_point_spec.field_names[{i}]: field '{spec.FieldNames[i]}' is not declared by measure '{group}/{measure.Metadata?.Name}'";
                }
            }
        }

        int[]? sharding = measure.ShardingKey is { TagNames.Count: > 0 } key ? Entity(all, key.TagNames) : null;
        return new SubjectLayout(DataKind.Measure, group, measure.Metadata?.Name ?? string.Empty, all, tagColumns, familyNames, fieldColumns, Entity(all, measure.Entity?.TagNames), sharding, spec is null ? "the schema" : "the spec", problem);
    }

    /// <summary>The layout of <paramref name="stream"/> with <paramref name="spec"/> (empty: schema order).</summary>
    public static SubjectLayout ForStream(string group, StreamSchema stream, IReadOnlyList<StreamV1.TagFamilySpec> spec)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(spec);
        ColumnSpec[] all = [.. TagColumns(stream.TagFamilies)];
        string? problem = null;
        int[][] tagColumns;
        string[] familyNames;
        if (spec.Count == 0)
        {
            (tagColumns, familyNames) = SchemaOrder(stream.TagFamilies, all);
        }
        else
        {
            (tagColumns, familyNames, problem) = SpecOrder(stream.TagFamilies, all, [.. spec.Select(f => (f.Name, (IReadOnlyList<string>)f.TagNames))], "tag_family_spec", $"stream '{group}/{stream.Metadata?.Name}'");
        }

        return new SubjectLayout(DataKind.Stream, group, stream.Metadata?.Name ?? string.Empty, all, tagColumns, familyNames, [], Entity(all, stream.Entity?.TagNames), null, spec.Count == 0 ? "the schema" : "the spec", problem);
    }

    /// <summary>
    /// Reads one element's tag families and fields into <paramref name="row"/> (one value per column, null where not
    /// written). False, with the field and the reason, when the element has no tag family, more families than the
    /// schema (or spec), more tags in a family or more fields than declared, a value of another type than declared, or
    /// a null or missing entity (or sharding-key) tag.
    /// </summary>
    public bool TryRead(RepeatedField<TagFamilyForWrite> families, RepeatedField<FieldValue>? fields, ColumnValue[] row, out string reason)
    {
        Array.Fill(row, ColumnValue.Null);
        if (families.Count == 0)
        {
            reason = "tag_families: the element has no tag family";
            return false;
        }

        if (families.Count > _tagColumns.Length)
        {
            reason = $"tag_families: {families.Count} tag families, {_order} declares {_tagColumns.Length}";
            return false;
        }

        for (int f = 0; f < families.Count; f++)
        {
            RepeatedField<TagValue> tags = families[f].Tags;
            int[] columns = _tagColumns[f];
            if (tags.Count > columns.Length)
            {
                reason = $"tag_families[{f}]: {tags.Count} tags, {_order} declares {columns.Length} in family '{_familyNames[f]}'";
                return false;
            }

            for (int t = 0; t < tags.Count; t++)
            {
                int column = columns[t];
                ColumnSpec spec = Columns[column];
                if (!ValueTypes.TryTag(tags[t], spec.Type, out row[column], out string actual))
                {
                    reason = $"tag_families[{f}].tags[{t}] ({spec.Name}): is {actual}, the schema declares {ValueTypes.DeclaredName(spec.Type, field: false)}";
                    return false;
                }
            }
        }

        if (fields is not null)
        {
            if (fields.Count > _fieldColumns.Length)
            {
                reason = $"fields: {fields.Count} fields, {_order} declares {_fieldColumns.Length}";
                return false;
            }

            for (int i = 0; i < fields.Count; i++)
            {
                int column = _fieldColumns[i];
                ColumnSpec spec = Columns[column];
                if (!ValueTypes.TryField(fields[i], spec.Type, out row[column], out string actual))
                {
                    reason = $"fields[{i}] ({spec.Name}): is {actual}, the schema declares {ValueTypes.DeclaredName(spec.Type, field: true)}";
                    return false;
                }
            }
        }

        if (!HasAll(row, EntityColumns, "entity", out reason) || (ShardingColumns is { } sharding && !HasAll(row, sharding, "sharding key", out reason)))
        {
            return false;
        }

        reason = string.Empty;
        return true;
    }

    /// <summary>A new empty batch with this layout's columns.</summary>
    public WriteBatch NewBatch(int expectedRows = 0)
    {
        // Named by its subject: the engine keeps each subject's columns apart, so batches of measures whose fields share
        // a name but not a type (an int "value" and a float "value") seal into one memory part. Unnamed, they fell into
        // the one default subject, where every change of type between consecutive writes cut a new memory part: with
        // writes alternating between measures, a part per write, and flushes merging hundreds of tiny parts.
        WriteBatch batch = new(Kind, Subject);
        foreach (ColumnSpec column in Columns)
        {
            batch.AddColumn(column.Family, column.Name, column.Type);
        }

        batch.Reserve(expectedRows);
        return batch;
    }

    /// <summary>The engine values of <paramref name="columns"/> in <paramref name="row"/> (all non-null after <see cref="TryRead"/>).</summary>
    public static Banyan.Storage.Values.TagValue[] ValuesOf(ColumnValue[] row, int[] columns)
    {
        var values = new Banyan.Storage.Values.TagValue[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            values[i] = ValueTypes.ToEntityValue(row[columns[i]]);
        }

        return values;
    }

    private bool HasAll(ColumnValue[] row, int[] columns, string what, out string reason)
    {
        foreach (int column in columns)
        {
            if (column < 0 || row[column].IsNull)
            {
                string name = column < 0 ? "?" : Columns[column].Name;
                reason = $"{what} tag '{name}' is missing: it is not written or null (a series needs every {what} tag)";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }

    private static List<ColumnSpec> TagColumns(RepeatedField<TagFamilySpec> families)
    {
        List<ColumnSpec> columns = [];
        foreach (TagFamilySpec family in families)
        {
            foreach (TagSpec tag in family.Tags)
            {
                columns.Add(new ColumnSpec(family.Name, tag.Name, ValueTypes.OfTag(tag.Type)));
            }
        }

        return columns;
    }

    private static (int[][] Columns, string[] Names) SchemaOrder(RepeatedField<TagFamilySpec> families, ColumnSpec[] all)
    {
        int[][] columns = new int[families.Count][];
        string[] names = new string[families.Count];
        for (int f = 0; f < families.Count; f++)
        {
            names[f] = families[f].Name;
            columns[f] = [.. families[f].Tags.Select(t => Find(all, families[f].Name, t.Name))];
        }

        return (columns, names);
    }

    private static (int[][] Columns, string[] Names, string? Problem) SpecOrder(RepeatedField<TagFamilySpec> families, ColumnSpec[] all, (string Name, IReadOnlyList<string> Tags)[] spec, string field, string subject)
    {
        string? problem = null;
        int[][] columns = new int[spec.Length][];
        string[] names = new string[spec.Length];
        for (int f = 0; f < spec.Length; f++)
        {
            names[f] = spec[f].Name;
            columns[f] = new int[spec[f].Tags.Count];
            bool familyKnown = families.Any(family => family.Name == spec[f].Name);
            if (!familyKnown)
            {
                problem ??= $"{field}[{f}].name: tag family '{spec[f].Name}' is not declared by {subject}";
            }

            for (int t = 0; t < spec[f].Tags.Count; t++)
            {
                int column = Find(all, spec[f].Name, spec[f].Tags[t]);
                columns[f][t] = column;
                if (column < 0 && familyKnown)
                {
                    problem ??= $"{field}[{f}].tag_names[{t}]: tag '{spec[f].Tags[t]}' is not declared in family '{spec[f].Name}' of {subject}";
                }
            }
        }

        return (columns, names, problem);
    }

    private static int[] Entity(ColumnSpec[] all, RepeatedField<string>? names)
    {
        if (names is null)
        {
            return [];
        }

        int[] columns = new int[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            columns[i] = Array.FindIndex(all, c => !c.IsField && c.Name == names[i]);
        }

        return columns;
    }

    private static int Find(ColumnSpec[] all, string? family, string name) => Array.FindIndex(all, c => c.Family == family && c.Name == name);
}
