namespace Banyan.Storage.Rows;

/// <summary>
/// The entity of series <paramref name="seriesId"/> as its values' bytes (<see cref="SeriesEntityBytes"/>), or null when
/// the series is unknown: what a decoder fills left-out entity tags from. Called once per left-out row, so a caller
/// that decodes many records keeps the answers by series.
/// </summary>
public delegate SeriesEntityBytes? SeriesEntityBytesLookup(ulong seriesId);
