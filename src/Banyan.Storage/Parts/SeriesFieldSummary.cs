namespace Banyan.Storage.Parts;

/// <summary>
/// One series' rows in a time range, summarised without reading them one by one: the <see cref="FieldSummary"/> of a
/// numeric field and the timestamps of the first and last rows in the range (rows whose field is null included).
/// </summary>
/// <param name="SeriesId">The series.</param>
/// <param name="Summary">COUNT, SUM, MIN, MAX of the field's non-null values in the range.</param>
/// <param name="FirstTimestamp">Timestamp of the series' first row in the range.</param>
/// <param name="LastTimestamp">Timestamp of the series' last row in the range.</param>
public readonly record struct SeriesFieldSummary(ulong SeriesId, FieldSummary Summary, long FirstTimestamp, long LastTimestamp);
