using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// One ranked entry of a window's list: the source series it came from, its value, and the source measure's entity
/// values of that series (what a TopN answer shows, as BanyanDB's <c>TopNList.Item.entity</c>).
/// </summary>
/// <param name="SeriesId">The source series id (xxHash64 of the measure name and entity): the key a newer point of the same series replaces.</param>
/// <param name="Value">The ranked field's value.</param>
/// <param name="Entity">The source measure's entity tag values, in <c>entity.tag_names</c> order.</param>
internal sealed record TopNItem(ulong SeriesId, TopNRank Value, TagValue[] Entity);
