using System.Text;
using Banyan.GrainInterfaces.Queries;
using Banyan.Grains.Queries;
using Banyan.Storage.Bytes;
using Banyan.Storage.Values;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.TopN;

/// <summary>
/// A shard's TopN answer from its lists of the query's range (the latest persisted version of each, or the list still in
/// memory over it): one item per entity with its best value (<see cref="TopNDistinct{T}"/>), the best <c>top_n</c>.
/// </summary>
/// <remarks>
/// An hour of 10 s windows is 360 lists of up to 1,000 items per shard, so the merge is the query's work: persisted lists
/// are walked in place (<see cref="TopNListReader"/>) and merged by their entity bytes, which an entity seen before costs
/// a dictionary lookup of the bytes and no allocation; only the answered entities are decoded. The entity bytes (the list
/// encoding of the values, kinds included, so the string "1" and the integer 1 differ, as do null and "") are the keys;
/// the answer's keys are their Latin-1 text (one char per byte, which maps back to the same bytes).
/// </remarks>
internal static class TopNShardMerge
{
    /// <summary>One list to merge: persisted (<paramref name="Stored"/>) or in memory (<paramref name="Memory"/>), with its row version (0 in memory).</summary>
    internal readonly record struct Source(TopNStoredList? Stored, TopNSnapshot? Memory, long Version);

    /// <summary>
    /// The merged answer of <paramref name="sources"/> to <paramref name="query"/>. With <paramref name="entities"/> (the
    /// table of the silo's list cache), entities are merged by their ids in it: lists kept interned in that table are
    /// merged from their arrays, the others (lists in memory, lists not kept or kept before the cache last emptied) have
    /// their entities interned as they are walked. Without it, by their bytes.
    /// </summary>
    /// <exception cref="Banyan.Storage.StorageCorruptionException">A persisted list is damaged.</exception>
    public static MeasureV1.TopNList Merge(IReadOnlyList<Source> sources, TopNShardQuery query, TopNEntityTable? entities = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(query);
        TopNDistinct<(long Window, long Version)> distinct = new(query.Descending);
        using ByteBuffer memoryEntity = new(256);
        foreach (Source source in sources)
        {
            if (source.Stored is { } stored)
            {
                (long, long) payload = (stored.WindowStart, source.Version);
                if (entities is not null && stored.Interned is { } interned && ReferenceEquals(interned.Table, entities))
                {
                    int[] ids = interned.EntityIds;
                    for (int i = 0; i < ids.Length; i++)
                    {
                        distinct.Put(ids[i], interned.ValueAt(i), payload);
                    }

                    continue;
                }

                TopNListReader reader = TopNListReader.Open(stored.Bytes, stored.Where);
                try
                {
                    while (reader.MoveNext())
                    {
                        Put(distinct, entities, reader.Entity, reader.Value, payload);
                    }
                }
                finally
                {
                    reader.Dispose();
                }
            }
            else if (source.Memory is { } memory)
            {
                foreach (TopNItem item in memory.Items)
                {
                    memoryEntity.Clear();
                    TopNResultCodec.WriteEntity(memoryEntity, item.Entity);
                    Put(distinct, entities, memoryEntity.WrittenSpan, item.Value, (memory.WindowStart, source.Version));
                }
            }
        }

        MeasureV1.TopNList answer = new();
        if (entities is null)
        {
            foreach ((string entityKey, TopNRank value, (long window, long version)) in distinct.TopWithKeys(query.TopN))
            {
                answer.Items.Add(Item(query, Encoding.Latin1.GetBytes(entityKey), value, window, version));
            }
        }
        else
        {
            foreach ((int entityId, TopNRank value, (long window, long version)) in distinct.TopWithIds(query.TopN))
            {
                answer.Items.Add(Item(query, entities.EntityOf(entityId), value, window, version));
            }
        }

        return answer;
    }

    // An item keyed by its entity's bytes, or by their id in `entities` (interned now if new): every item of every list is
    // put in the same order either way, so ties go to the same entity.
    private static void Put(TopNDistinct<(long Window, long Version)> distinct, TopNEntityTable? entities, ReadOnlySpan<byte> entity, TopNRank value, (long Window, long Version) payload)
    {
        if (entities is null)
        {
            distinct.Put(entity, value, payload);
        }
        else
        {
            distinct.Put(entities.Intern(entity), value, payload);
        }
    }

    // One answered item: only the answered entities are decoded.
    private static MeasureV1.TopNList.Types.Item Item(TopNShardQuery query, byte[] entityBytes, TopNRank value, long window, long version)
    {
        TagValue[] entity = TopNResultCodec.ReadEntity(entityBytes, "TopN merge key", 0);
        MeasureV1.TopNList.Types.Item output = new()
        {
            Value = TopNEntity.ToField(value),
            Version = version,
            Timestamp = ResultValues.ToTimestamp(window),
        };
        output.Entity.AddRange(TopNEntity.ToTags(query.EntityTagNames, entity));
        return output;
    }
}
