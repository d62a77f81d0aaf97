using Banyan.Storage.Values;

namespace Banyan.Storage.Rows;

/// <summary>
/// Which columns of a subject's rows hold its series' entity tags, so that a series' value there is the one in its
/// series key: the seal reads such a column at a block's first row only (<see cref="Parts.MemoryPartBuilder"/>), and a
/// shard's WAL record may leave it out (<see cref="EntityOmission"/>). One rule for both.
/// </summary>
public static class EntityTagColumns
{
    /// <summary>
    /// Per column, whether it holds an entity tag: a tag column (one with a family) of a byte-string type, named as one of
    /// <paramref name="entityTags"/>, whose name no other tag column shares (with two, the indexes take the first, and
    /// which is first may differ between batches). Null when no column does.
    /// </summary>
    public static bool[]? Find(IReadOnlyList<(string? Family, string Name, ColumnValueType Type)> columns, IReadOnlyList<string>? entityTags)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (entityTags is not { Count: > 0 })
        {
            return null;
        }

        bool[] determined = new bool[columns.Count];
        bool any = false;
        for (int c = 0; c < columns.Count; c++)
        {
            (string? family, string name, ColumnValueType type) = columns[c];
            if (family is null || !ColumnValueTypes.IsBytes(type) || !entityTags.Contains(name))
            {
                continue;
            }

            int sameName = 0;
            foreach ((string? otherFamily, string otherName, _) in columns)
            {
                sameName += otherFamily is not null && otherName == name ? 1 : 0;
            }

            determined[c] = sameName == 1;
            any |= determined[c];
        }

        return any ? determined : null;
    }
}
