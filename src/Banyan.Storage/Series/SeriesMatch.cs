using Banyan.Storage.Values;

namespace Banyan.Storage.Series;

/// <summary>A series found in the series index, with the entity values it was registered with.</summary>
/// <param name="SeriesId">The series id.</param>
/// <param name="Subject">The stream or measure name.</param>
/// <param name="EntityValues">The entity tag values, in the subject's entity order.</param>
public sealed record SeriesMatch(ulong SeriesId, string Subject, IReadOnlyList<TagValue> EntityValues);
