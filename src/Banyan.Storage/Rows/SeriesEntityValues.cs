using Banyan.Storage.Values;

namespace Banyan.Storage.Rows;

/// <summary>
/// The entity values of series <paramref name="seriesId"/> in its key's order (<see cref="Series.SeriesKey"/>), or null
/// when the series is unknown: what a decoder fills left-out entity tags from.
/// </summary>
public delegate IReadOnlyList<TagValue>? SeriesEntityValues(ulong seriesId);
