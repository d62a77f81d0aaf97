using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// The indexed tag values of one document as the dictionary <see cref="Index.Segments.IndexDocument"/> asks
/// for, without a hash table per row: a window of one values array shared by the whole batch, with
/// the tag names shared by every row. A few indexed tags per rule set make the linear lookup cheap.
/// </summary>
internal sealed class RowTags(string[] names, TagValue?[] values, int offset) : IReadOnlyDictionary<string, TagValue>
{
    public TagValue this[string key] => TryGetValue(key, out TagValue? value) ? value : throw new KeyNotFoundException($"tag '{key}' is absent");

    public IEnumerable<string> Keys
    {
        get
        {
            foreach (KeyValuePair<string, TagValue> pair in this)
            {
                yield return pair.Key;
            }
        }
    }

    public IEnumerable<TagValue> Values
    {
        get
        {
            foreach (KeyValuePair<string, TagValue> pair in this)
            {
                yield return pair.Value;
            }
        }
    }

    public int Count
    {
        get
        {
            int n = 0;
            for (int i = 0; i < names.Length; i++)
            {
                n += values[offset + i] is null ? 0 : 1;
            }

            return n;
        }
    }

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TagValue value)
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (ReferenceEquals(names[i], key) || string.Equals(names[i], key, StringComparison.Ordinal))
            {
                value = values[offset + i];
                return value is not null;
            }
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, TagValue>> GetEnumerator()
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (values[offset + i] is { } value)
            {
                yield return new KeyValuePair<string, TagValue>(names[i], value);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
