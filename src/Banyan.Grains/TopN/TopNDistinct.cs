using System.Runtime.InteropServices;
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
    private readonly Dictionary<byte[], int> _indexOfBytes = new(TopNEntityBytesComparer.Instance);
    private readonly List<(string Key, TopNRank Value, T Payload)> _best = [];
    private readonly List<int> _ids = []; // the entity id of each of _best's entries, when keyed by ids
    private int[] _slotOfId = []; // by entity id: its index in _best plus one (0: not seen); ids are dense from 0
    private Dictionary<int, int>? _slotOfSparseId; // ids too far past the array's reach (see DenseIdLimit), by id: index in _best
    private Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _bytesLookup; // default until the first byte key

    /// <summary>Number of distinct entities seen.</summary>
    public int Count => _best.Count;

    /// <summary>Takes the item <paramref name="payload"/> of the entity <paramref name="entityKey"/> with <paramref name="value"/>.</summary>
    public void Put(string entityKey, TopNRank value, T payload)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        ThrowIfKeyedOtherwise(strings: true);
        if (_indexOf.TryGetValue(entityKey, out int index))
        {
            Offer(index, value, payload);
            return;
        }

        _indexOf[entityKey] = _best.Count;
        _best.Add((entityKey, value, payload));
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

        ThrowIfKeyedOtherwise(bytes: true);
        _indexOfBytes[entity.ToArray()] = _best.Count;
        _best.Add((Encoding.Latin1.GetString(entity), value, payload));
    }

    /// <summary>
    /// <see cref="Put(string, TopNRank, T)"/> keyed by the entity's id in a <see cref="TopNEntityTable"/>: the merge of
    /// lists kept interned (<see cref="TopNInternedList"/>) looks up an integer per item. The answer's entities are
    /// <see cref="TopWithIds"/>. An instance takes either this or the other keys.
    /// </summary>
    public void Put(int entityId, TopNRank value, T payload)
    {
        if ((uint)entityId < (uint)_slotOfId.Length && _slotOfId[entityId] is int slot and > 0)
        {
            Offer(slot - 1, value, payload);
            return;
        }

        if (_slotOfSparseId is not null && _slotOfSparseId.TryGetValue(entityId, out int index))
        {
            Offer(index, value, payload);
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(entityId);
        ThrowIfKeyedOtherwise(ids: true);
        if (entityId < _slotOfId.Length || entityId < DenseIdLimit)
        {
            if (entityId >= _slotOfId.Length)
            {
                Array.Resize(ref _slotOfId, Math.Min(DenseIdLimit, Math.Max(entityId + 1, Math.Max(64, _slotOfId.Length * 2))));
            }

            _slotOfId[entityId] = _best.Count + 1;
        }
        else
        {
            (_slotOfSparseId ??= []).Add(entityId, _best.Count);
        }

        _best.Add((string.Empty, value, payload));
        _ids.Add(entityId);
    }

    // The array of slots reaches ids below this: a silo's table may hold millions of entities while one query meets a
    // few of them, so the array stays within 32 bytes per entity met (at least 16 KiB) and larger ids go to a
    // dictionary. In the usual case (a table of a few thousand entities) every id fits the array.
    private int DenseIdLimit => Math.Max(4096, 8 * (_best.Count + 1));

    /// <summary>The best <paramref name="topN"/> entities' items, best first.</summary>
    public List<(TopNRank Value, T Payload)> Top(int topN) => [.. TopWithKeys(topN).Select(e => (e.Value, e.Payload))];

    /// <summary>The best <paramref name="topN"/> entities' keys and items, best first.</summary>
    public List<(string Key, TopNRank Value, T Payload)> TopWithKeys(int topN) => [.. TopIndexes(topN).Select(i => _best[i])];

    /// <summary>The best <paramref name="topN"/> entities' ids (<see cref="Put(int, TopNRank, T)"/>) and items, best first.</summary>
    public List<(int EntityId, TopNRank Value, T Payload)> TopWithIds(int topN) => [.. TopIndexes(topN).Select(i => (_ids[i], _best[i].Value, _best[i].Payload))];

    // The indexes into _best of the best topN entries, best first; equal values in the order the entities were first seen.
    private List<int> TopIndexes(int topN)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(topN);
        List<int> ordered = [.. Enumerable.Range(0, _best.Count).OrderBy(i => _best[i].Value, descending ? Comparer<TopNRank>.Create((a, b) => b.CompareTo(a)) : Comparer<TopNRank>.Default).ThenBy(i => i)];
        return ordered.Count <= topN ? ordered : ordered.GetRange(0, topN);
    }

    // One kind of key per instance: the entities of different kinds of key could not be told apart.
    private void ThrowIfKeyedOtherwise(bool strings = false, bool bytes = false, bool ids = false)
    {
        if ((!strings && _indexOf.Count > 0) || (!bytes && _indexOfBytes.Count > 0) || (!ids && _ids.Count > 0))
        {
            throw new InvalidOperationException("this merge was given another kind of entity key (text, list bytes or table ids); it takes one kind only");
        }
    }

    // A later item of a known entity replaces it only when strictly better. The entry is updated in place: a merge
    // offers every item of every list, and copying the entry out and back was a large part of the merge loop.
    private void Offer(int index, TopNRank value, T payload)
    {
        ref (string Key, TopNRank Value, T Payload) entry = ref CollectionsMarshal.AsSpan(_best)[index];
        int c = value.CompareTo(entry.Value);
        if (descending ? c > 0 : c < 0)
        {
            entry.Value = value;
            entry.Payload = payload;
        }
    }
}
