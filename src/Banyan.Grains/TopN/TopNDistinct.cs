using System.IO.Hashing;
using System.Text;

namespace Banyan.Grains.TopN;

/// <summary>
/// The merge of a TopN query, as BanyanDB's <c>topNDistinct</c> plan (<c>pkg/query/logical/measure/topn_plan_distinct.go</c>):
/// items of many windows, group-by values, shards and groups become one item per entity (the entity's tag values), the one
/// with the entity's best value in the requested direction (a later item replaces it only when strictly better); then the
/// best <c>top_n</c> entities, best first (equal values in the order their entities were first seen).
/// </summary>
/// <typeparam name="T">What an item carries besides its value.</typeparam>
internal sealed class TopNDistinct<T>(bool descending)
{
    private readonly Dictionary<string, int> _indexOf = new(StringComparer.Ordinal);
    private readonly Dictionary<byte[], int> _indexOfBytes = new(EntityBytesComparer.Instance);
    private Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _bytesLookup; // default until the first byte key
    private readonly List<(string Key, TopNRank Value, T Payload)> _best = [];

    /// <summary>Number of distinct entities seen.</summary>
    public int Count => _best.Count;

    /// <summary>Takes the item <paramref name="payload"/> of the entity <paramref name="entityKey"/> with <paramref name="value"/>.</summary>
    public void Put(string entityKey, TopNRank value, T payload)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        ThrowIfBytes();
        if (_indexOf.TryGetValue(entityKey, out int index))
        {
            Offer(index, value, payload);
            return;
        }

        _indexOf[entityKey] = _best.Count;
        _best.Add((entityKey, value, payload));
    }

    /// <summary>
    /// <see cref="Put(string, TopNRank, T)"/> with the key in a span: an entity seen before costs a lookup, no string
    /// (a shard's query merges every item of every window of the range; the entities repeat from window to window).
    /// </summary>
    public void Put(ReadOnlySpan<char> entityKey, TopNRank value, T payload)
    {
        ThrowIfBytes();
        if (_indexOf.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(entityKey, out int index))
        {
            Offer(index, value, payload);
            return;
        }

        string key = entityKey.ToString();
        _indexOf[key] = _best.Count;
        _best.Add((key, value, payload));
    }

    /// <summary>
    /// <see cref="Put(string, TopNRank, T)"/> keyed by the entity's bytes as a list stores them, whose key is their
    /// Latin-1 text (one char per byte). A shard's merge puts every item of every list of the range, so an entity seen
    /// before costs a lookup of its bytes: no text, no allocation. An instance takes either this or the string keys.
    /// </summary>
    public void Put(ReadOnlySpan<byte> entity, TopNRank value, T payload)
    {
        // Made once: each GetAlternateLookup checks the comparer's type again.
        if (_bytesLookup.Dictionary is null)
        {
            _bytesLookup = _indexOfBytes.GetAlternateLookup<ReadOnlySpan<byte>>();
        }

        if (_bytesLookup.TryGetValue(entity, out int index))
        {
            Offer(index, value, payload);
            return;
        }

        if (_indexOf.Count > 0)
        {
            throw new InvalidOperationException("this merge was given string keys; it cannot take entity bytes too");
        }

        _indexOfBytes[entity.ToArray()] = _best.Count;
        _best.Add((Encoding.Latin1.GetString(entity), value, payload));
    }

    /// <summary>The best <paramref name="topN"/> entities' items, best first.</summary>
    public List<(TopNRank Value, T Payload)> Top(int topN) => [.. TopWithKeys(topN).Select(e => (e.Value, e.Payload))];

    /// <summary>The best <paramref name="topN"/> entities' keys and items, best first.</summary>
    public List<(string Key, TopNRank Value, T Payload)> TopWithKeys(int topN)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(topN);
        List<(string Key, TopNRank Value, T Payload)> ordered = [.. _best.Index().OrderBy(e => e.Item.Value, descending ? Comparer<TopNRank>.Create((a, b) => b.CompareTo(a)) : Comparer<TopNRank>.Default).ThenBy(e => e.Index).Select(e => e.Item)];
        return ordered.Count <= topN ? ordered : ordered.GetRange(0, topN);
    }

    private void ThrowIfBytes()
    {
        if (_indexOfBytes.Count > 0)
        {
            throw new InvalidOperationException("this merge was given entity bytes; it cannot take string keys too");
        }
    }

    // A later item of a known entity replaces it only when strictly better.
    private void Offer(int index, TopNRank value, T payload)
    {
        int c = value.CompareTo(_best[index].Value);
        if (descending ? c > 0 : c < 0)
        {
            _best[index] = (_best[index].Key, value, payload);
        }
    }

    // Entity bytes compared by content, hashed with XxHash3 (a list's entity is a few dozen bytes of tag values).
    private sealed class EntityBytesComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly EntityBytesComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)XxHash3.HashToUInt64(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
