namespace Banyan.Storage.Rows;

/// <summary>
/// Which entity tag values a serialized write batch leaves out (format version 3, docs/format/write-batch.md): the
/// byte-string columns that hold entity tags, each with its tag's position in the series key, and the rows whose series
/// the shard's series index holds in its files. A WAL record that names such a series by its id needs no copy of its
/// tags: a replay takes them from the series key (<see cref="SeriesEntityBytesLookup"/>), as a part of format 4 does.
/// </summary>
public sealed class EntityOmission
{
    private readonly int[] _columns;
    private readonly int[] _positions;
    private readonly bool[] _rows;

    /// <summary>
    /// Leaves out, in the rows where <paramref name="omittedRows"/> is true, the values of columns
    /// <paramref name="columns"/>, whose tags are at <paramref name="entityPositions"/> of the series key.
    /// </summary>
    /// <exception cref="ArgumentException">The two column lists differ in length, or a column is listed twice.</exception>
    public EntityOmission(int[] columns, int[] entityPositions, bool[] omittedRows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(entityPositions);
        ArgumentNullException.ThrowIfNull(omittedRows);
        if (columns.Length != entityPositions.Length)
        {
            throw new ArgumentException($"{columns.Length} columns but {entityPositions.Length} entity positions", nameof(entityPositions));
        }

        for (int i = 0; i < columns.Length; i++)
        {
            if (Array.IndexOf(columns, columns[i], i + 1) >= 0)
            {
                throw new ArgumentException($"column {columns[i]} is listed twice", nameof(columns));
            }
        }

        _columns = columns;
        _positions = entityPositions;
        _rows = omittedRows;
        foreach (bool omitted in omittedRows)
        {
            OmittedRowCount += omitted ? 1 : 0;
        }
    }

    /// <summary>The batch's columns whose values are left out, in the order they are listed.</summary>
    public ReadOnlySpan<int> Columns => _columns;

    /// <summary>Per listed column, the position of its tag among the subject's entity tags (and in the series key).</summary>
    public ReadOnlySpan<int> EntityPositions => _positions;

    /// <summary>Per row of the batch, whether its values of the listed columns are left out.</summary>
    public ReadOnlySpan<bool> Rows => _rows;

    /// <summary>How many rows are left out.</summary>
    public int OmittedRowCount { get; }

    /// <summary>True when the listed column's values are left out of no row, so the batch is written whole.</summary>
    public bool IsEmpty => OmittedRowCount == 0 || _columns.Length == 0;
}
