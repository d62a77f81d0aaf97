namespace Banyan.Storage.Query;

/// <summary>
/// Which columns a read decodes. Timestamps and versions (or element ids) are always decoded;
/// fields and tags only when projected, so a query pays only for the columns it returns.
/// </summary>
public sealed class ColumnProjection
{
    private readonly HashSet<string>? _fields;
    private readonly Dictionary<string, HashSet<string>?>? _families;

    private ColumnProjection(HashSet<string>? fields, Dictionary<string, HashSet<string>?>? families)
    {
        _fields = fields;
        _families = families;
    }

    /// <summary>Every field and every tag.</summary>
    public static ColumnProjection All { get; } = new(null, null);

    /// <summary>Timestamps and versions only.</summary>
    public static ColumnProjection KeysOnly { get; } = new([], []);

    /// <summary>The named fields and tags.</summary>
    /// <param name="fields">Field names.</param>
    /// <param name="tags">(family, tag) pairs; a null tag name selects the whole family.</param>
    public static ColumnProjection Of(IEnumerable<string> fields, IEnumerable<(string Family, string? Tag)> tags)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(tags);
        var families = new Dictionary<string, HashSet<string>?>(StringComparer.Ordinal);
        foreach ((string family, string? tag) in tags)
        {
            if (tag is null)
            {
                families[family] = null;
            }
            else if (!families.TryGetValue(family, out HashSet<string>? set))
            {
                families[family] = new HashSet<string>(StringComparer.Ordinal) { tag };
            }
            else
            {
                set?.Add(tag);
            }
        }

        return new ColumnProjection(new HashSet<string>(fields, StringComparer.Ordinal), families);
    }

    /// <summary>True when field <paramref name="name"/> is decoded.</summary>
    public bool IncludesField(string name) => _fields is null || _fields.Contains(name);

    /// <summary>True when any tag of <paramref name="family"/> is decoded.</summary>
    public bool IncludesFamily(string family) => _families is null || _families.ContainsKey(family);

    /// <summary>True when tag <paramref name="family"/>.<paramref name="tag"/> is decoded.</summary>
    public bool IncludesTag(string family, string tag)
    {
        if (_families is null)
        {
            return true;
        }

        return _families.TryGetValue(family, out HashSet<string>? set) && (set is null || set.Contains(tag));
    }
}
