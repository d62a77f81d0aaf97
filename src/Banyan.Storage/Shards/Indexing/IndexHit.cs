using Banyan.Storage.Index.Segments;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// One candidate document of an index search: where its rows are (series id, and for streams the
/// timestamp and element id) and what the index could not decide (the residual, to run on the row).
/// </summary>
/// <param name="SeriesId">The series.</param>
/// <param name="Timestamp">Streams: the element's timestamp. Measures: 0 (documents describe a series).</param>
/// <param name="ElementId">Streams: the element id bits. Measures: 0.</param>
/// <param name="Segment">The segment holding the document (the residual's membership tests refer to its document numbers).</param>
/// <param name="Doc">The document number within <paramref name="Segment"/>.</param>
/// <param name="Residual">The filter left for the decoded row; null when the index decided.</param>
public readonly record struct IndexHit(ulong SeriesId, long Timestamp, long ElementId, IndexSegment Segment, int Doc, ResidualFilter? Residual)
{
    /// <summary>True when the index alone decided this hit matches.</summary>
    public bool IsExact => Residual is null;

    /// <summary>True when the document, decoded as <paramref name="row"/>, matches (always true for exact hits).</summary>
    public bool Accepts(ITagRow row) => Residual is null || Residual.Matches(row, Doc);
}
