using Banyan.Api.Database.V1;

namespace Banyan.Cli.Write;

/// <summary>What one CSV column holds.</summary>
public enum CsvColumnRole
{
    /// <summary>The timestamp (RFC 3339, or Unix milliseconds).</summary>
    Timestamp,

    /// <summary>A measure point's version.</summary>
    Version,

    /// <summary>A stream element's id.</summary>
    ElementId,

    /// <summary>A tag.</summary>
    Tag,

    /// <summary>A measure field.</summary>
    Field,
}

/// <summary>One CSV column: its role, and for a tag or a field its name and type from the schema.</summary>
/// <param name="Header">The header text.</param>
/// <param name="Role">What the column holds.</param>
/// <param name="Family">The tag family (tags only).</param>
/// <param name="Name">The tag or field name.</param>
/// <param name="TagType">The tag's type (tags only).</param>
/// <param name="FieldType">The field's type (fields only).</param>
public sealed record CsvColumn(string Header, CsvColumnRole Role, string Family, string Name, TagType TagType, FieldType FieldType);

/// <summary>
/// Maps a CSV header onto a stream or measure schema. Reserved columns: <c>timestamp</c> (required), <c>version</c>
/// (measures), <c>element_id</c> (streams, required). Any other column names a tag as <c>family.tag</c> or just
/// <c>tag</c> when no other family has a tag of that name, or (measures) a field by its name; a name that is both a
/// tag and a field must be written <c>family.tag</c> for the tag. Columns may come in any order and any subset of the
/// schema's tags and fields may be given: the write spec sent with the first row names them.
/// </summary>
public static class CsvColumns
{
    /// <summary>The columns of <paramref name="header"/>.</summary>
    /// <exception cref="InputFileException">A column names nothing in the schema, a column repeats, or a required one is missing.</exception>
    public static IReadOnlyList<CsvColumn> Map(
        IReadOnlyList<string> header,
        IEnumerable<TagFamilySpec> families,
        IEnumerable<FieldSpec> fields,
        WriteTarget target,
        string subject,
        string source,
        long line)
    {
        ArgumentNullException.ThrowIfNull(header);
        List<(string Family, TagSpec Tag)> tags = [.. families.SelectMany(f => f.Tags.Select(t => (f.Name, t)))];
        List<FieldSpec> fieldList = [.. fields];
        List<CsvColumn> columns = [];
        for (int i = 0; i < header.Count; i++)
        {
            string name = header[i].Trim();
            string where = $"header column {i + 1} '{name}'";
            CsvColumn column = name switch
            {
                "timestamp" => new CsvColumn(name, CsvColumnRole.Timestamp, string.Empty, name, TagType.Unspecified, FieldType.Unspecified),
                "version" when target == WriteTarget.Measure => new CsvColumn(name, CsvColumnRole.Version, string.Empty, name, TagType.Unspecified, FieldType.Unspecified),
                "element_id" when target == WriteTarget.Stream => new CsvColumn(name, CsvColumnRole.ElementId, string.Empty, name, TagType.Unspecified, FieldType.Unspecified),
                _ => Resolve(name, tags, fieldList, subject) ?? throw new InputFileException(source, line, $"{where}: {Reason(name, tags, fieldList, subject)}"),
            };
            if (columns.Any(c => c.Role == column.Role && c.Family == column.Family && c.Name == column.Name))
            {
                throw new InputFileException(source, line, $"{where}: the column appears twice");
            }

            columns.Add(column);
        }

        if (!columns.Any(c => c.Role == CsvColumnRole.Timestamp))
        {
            throw new InputFileException(source, line, "the header has no 'timestamp' column");
        }

        if (target == WriteTarget.Stream && !columns.Any(c => c.Role == CsvColumnRole.ElementId))
        {
            throw new InputFileException(source, line, "the header has no 'element_id' column (a stream element needs an id)");
        }

        return columns;
    }

    private static CsvColumn? Resolve(string name, List<(string Family, TagSpec Tag)> tags, List<FieldSpec> fields, string subject)
    {
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            string family = name[..dot];
            string tagName = name[(dot + 1)..];
            (string Family, TagSpec Tag) qualified = tags.FirstOrDefault(t => t.Family == family && t.Tag.Name == tagName);
            if (qualified.Tag is not null)
            {
                return new CsvColumn(name, CsvColumnRole.Tag, family, tagName, qualified.Tag.Type, FieldType.Unspecified);
            }
        }

        List<(string Family, TagSpec Tag)> byName = [.. tags.Where(t => t.Tag.Name == name)];
        FieldSpec? field = fields.FirstOrDefault(f => f.Name == name);
        if (byName.Count == 1 && field is null)
        {
            return new CsvColumn(name, CsvColumnRole.Tag, byName[0].Family, name, byName[0].Tag.Type, FieldType.Unspecified);
        }

        if (field is not null)
        {
            return new CsvColumn(name, CsvColumnRole.Field, string.Empty, name, TagType.Unspecified, field.FieldType);
        }

        return null;
    }

    private static string Reason(string name, List<(string Family, TagSpec Tag)> tags, List<FieldSpec> fields, string subject)
    {
        List<string> families = [.. tags.Where(t => t.Tag.Name == name).Select(t => t.Family)];
        if (families.Count > 1)
        {
            return $"tag '{name}' is in more than one family of {subject}; write {string.Join(" or ", families.Select(f => $"'{f}.{name}'"))}";
        }

        string known = string.Join(", ", tags.Select(t => $"{t.Family}.{t.Tag.Name}").Concat(fields.Select(f => f.Name)));
        return $"names no tag{(fields.Count > 0 ? " or field" : string.Empty)} of {subject} (it has {known})";
    }
}
