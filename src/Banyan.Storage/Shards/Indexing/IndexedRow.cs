using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>A row returned by an index-aware shard query.</summary>
/// <param name="SeriesId">The series.</param>
/// <param name="Timestamp">Nanoseconds since the Unix epoch.</param>
/// <param name="VersionOrElementId">Measures: the version. Streams: the element id bits.</param>
/// <param name="Tags">The row's non-null tag values by tag name.</param>
public sealed record IndexedRow(ulong SeriesId, long Timestamp, long VersionOrElementId, IReadOnlyDictionary<string, TagValue> Tags);
