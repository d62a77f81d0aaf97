using Banyan.Storage.Index.Analysis;
namespace Banyan.Storage.Index.Segments;

/// <summary>The set of indexed tags of one subject (a stream or a measure), from its index rules and bindings.</summary>
public sealed class IndexSchema
{
    private readonly Dictionary<string, IndexedTag> _byName;

    /// <summary>Creates the schema; tag names must be unique and non-empty.</summary>
    public IndexSchema(IReadOnlyList<IndexedTag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        _byName = new Dictionary<string, IndexedTag>(StringComparer.Ordinal);
        foreach (IndexedTag tag in tags)
        {
            if (string.IsNullOrEmpty(tag.Name))
            {
                throw new ArgumentException("an indexed tag needs a non-empty name", nameof(tags));
            }

            if (!_byName.TryAdd(tag.Name, tag))
            {
                throw new ArgumentException($"tag '{tag.Name}' is indexed twice", nameof(tags));
            }
        }

        Tags = [.. tags];
    }

    /// <summary>The indexed tags, in declaration order.</summary>
    public IReadOnlyList<IndexedTag> Tags { get; }

    /// <summary>The indexed tag named <paramref name="name"/>, or null when the tag is not indexed.</summary>
    public IndexedTag? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The analyzer that applies to stored values of <paramref name="name"/> (None for tags that are not indexed).</summary>
    public AnalyzerKind AnalyzerOf(string name) => _byName.TryGetValue(name, out IndexedTag? t) ? t.Analyzer : AnalyzerKind.None;
}
