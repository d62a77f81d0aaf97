using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// The entity of series <paramref name="seriesId"/> as the shard's series index keeps it in the series key (its subject's
/// entity tag names and values, in entity order); null when the index knows no such series. A part reader asks it for
/// the tag columns a part of format 4 does not store (<see cref="Columns.ColumnCodec.BytesFromSeriesKey"/>), once per
/// block. Called from any reading thread.
/// </summary>
public delegate SeriesEntity? SeriesEntityLookup(ulong seriesId);

/// <summary>A series' entity: its subject's entity tag names and the series' values of them, in entity order.</summary>
/// <param name="TagNames">The entity tag names.</param>
/// <param name="Values">The values, one per name.</param>
public sealed record SeriesEntity(IReadOnlyList<string> TagNames, IReadOnlyList<TagValue> Values)
{
    /// <summary>The value of entity tag <paramref name="tag"/>; null when it is not one of the entity's tags.</summary>
    public TagValue? ValueOf(string tag)
    {
        for (int i = 0; i < TagNames.Count && i < Values.Count; i++)
        {
            if (TagNames[i] == tag)
            {
                return Values[i];
            }
        }

        return null;
    }
}
