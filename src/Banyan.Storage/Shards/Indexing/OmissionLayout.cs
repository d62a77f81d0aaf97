using Banyan.Storage.Columns;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// Which columns of one column layout a WAL record may leave out (<see cref="ShardIndexer.OmissionFor"/>: the string
/// and binary entity tag columns, with their tags' positions in the series key), kept by the subject for its next batch.
/// A subject's writes come in one layout, batch after batch, so a record need not describe its columns and look its
/// entity tags up again. Immutable: a batch of another layout replaces it whole, so concurrent writers read it
/// without a lock.
/// </summary>
internal sealed class OmissionLayout
{
    private readonly (string? Family, string Name, ColumnValueType Type)[] _columns;

    private OmissionLayout((string? Family, string Name, ColumnValueType Type)[] columns, int[]? omitted, int[]? positions)
    {
        _columns = columns;
        Omitted = omitted;
        Positions = positions;
    }

    /// <summary>The columns whose values may be left out, or null when none may (no entity column that is a string or binary).</summary>
    public int[]? Omitted { get; }

    /// <summary>Per column of <see cref="Omitted"/>, the position of its tag among the subject's entity tags (and in the series key).</summary>
    public int[]? Positions { get; }

    /// <summary>The layout of <paramref name="columns"/> for a subject whose entity tags are <paramref name="entityTagNames"/>.</summary>
    public static OmissionLayout Of(IReadOnlyList<ColumnBuffer> columns, IReadOnlyList<string> entityTagNames)
    {
        var described = new (string? Family, string Name, ColumnValueType Type)[columns.Count];
        for (int c = 0; c < described.Length; c++)
        {
            described[c] = (columns[c].Family, columns[c].Name, columns[c].Type);
        }

        if (EntityTagColumns.Find(described, entityTagNames) is not { } entityColumns)
        {
            return new OmissionLayout(described, null, null);
        }

        // Of those, the string and binary ones: a key holds no arrays, so an array column could not be restored from it.
        List<int>? omitted = null;
        List<int>? positions = null;
        for (int c = 0; c < described.Length; c++)
        {
            if (entityColumns[c] && described[c].Type is ColumnValueType.String or ColumnValueType.Binary)
            {
                (omitted ??= []).Add(c);
                (positions ??= []).Add(PositionOf(entityTagNames, described[c].Name));
            }
        }

        return new OmissionLayout(described, omitted is null ? null : [.. omitted], positions is null ? null : [.. positions]);
    }

    /// <summary>True when <paramref name="columns"/> are this layout's columns: the same families, names and types, in order.</summary>
    public bool Matches(IReadOnlyList<ColumnBuffer> columns)
    {
        if (columns.Count != _columns.Length)
        {
            return false;
        }

        for (int c = 0; c < _columns.Length; c++)
        {
            ColumnBuffer column = columns[c];
            (string? family, string name, ColumnValueType type) = _columns[c];
            if (column.Type != type || !string.Equals(column.Name, name, StringComparison.Ordinal) || !string.Equals(column.Family, family, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static int PositionOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
