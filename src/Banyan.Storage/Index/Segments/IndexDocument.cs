using Banyan.Storage.Values;

namespace Banyan.Storage.Index.Segments;

/// <summary>
/// One thing to index: a stream element (located by series id and timestamp) or, in the series
/// index, a series (timestamp 0). Tags not named by the schema are ignored by the index.
/// </summary>
/// <param name="SeriesId">The series the element belongs to.</param>
/// <param name="Timestamp">The element's timestamp (Unix epoch nanoseconds, or any caller-chosen locator).</param>
/// <param name="Tags">Tag values by name.</param>
public sealed record IndexDocument(ulong SeriesId, long Timestamp, IReadOnlyDictionary<string, TagValue> Tags);
