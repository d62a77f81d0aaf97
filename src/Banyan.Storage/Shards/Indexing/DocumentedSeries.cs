using System.Collections.Concurrent;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// The series that have at least one document in a measure subject's inverted index. A measure subject without index
/// rules needs one document per series (its documents carry no value), so a write adds documents only for series not
/// in this set. Kept per store: the successive configurations of a subject share it.
/// </summary>
/// <remarks>
/// Built from the store's segments when the subject is opened, added to as batches are applied (one thread), read by
/// writers preparing batches (any thread). A series applied concurrently with a prepare may get a second document,
/// which is harmless: it says the same.
/// </remarks>
internal sealed class DocumentedSeries
{
    private readonly ConcurrentDictionary<ulong, byte> _series = new();

    private DocumentedSeries()
    {
    }

    /// <summary>The series documented in <paramref name="store"/>'s segments (files and memory).</summary>
    public static DocumentedSeries Of(IndexStore store)
    {
        var documented = new DocumentedSeries();
        foreach (IndexSegment segment in store.View().Segments)
        {
            for (int d = 0; d < segment.DocCount; d++)
            {
                documented._series.TryAdd(segment.SeriesIdAt(d), 0);
            }
        }

        return documented;
    }

    /// <summary>True when the series has a document.</summary>
    public bool Contains(ulong seriesId) => _series.ContainsKey(seriesId);

    /// <summary>Records the series of documents just added to the store.</summary>
    public void Add(IReadOnlyList<IndexDocument> documents)
    {
        foreach (IndexDocument document in documents)
        {
            _series.TryAdd(document.SeriesId, 0);
        }
    }
}
