using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;
using Banyan.Storage.Series;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// The series that have at least one document in a measure subject's inverted index, or will have once an accepted write
/// is applied. A measure subject without index rules needs one document per series (its documents carry no value), so a
/// write prepares documents only for series not in this set, and the store takes only the first document of a series.
/// Kept per store: the successive configurations of a subject share it.
/// </summary>
/// <remarks>
/// Built from the store's segments when the subject is opened, added to as writes are accepted (any thread) and as batches
/// are applied (one thread, in sequence order), read by writers preparing batches (any thread). Writes of one series
/// prepared before the first of them is accepted each carry a document for it (the service keeps up to 16 batches of a
/// write stream in flight); <see cref="TakeUnstored"/> keeps the store to the first of them.
/// </remarks>
internal sealed class DocumentedSeries
{
    // Bits of a series' value: an accepted write will document it; the store holds its document; and the shard's series
    // index holds the series or an accepted write will register it (see IsRegisteredAndDocumented).
    private const byte Accepted = 1;
    private const byte Stored = 2;
    private const byte Registered = 4;

    private readonly SeriesIdMap _series = new();

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
                documented._series.SetBits(segment.SeriesIdAt(d), Stored, addIfAbsent: true);
            }
        }

        return documented;
    }

    /// <summary>True when the series has a document, or an accepted write will give it one.</summary>
    public bool Contains(ulong seriesId) => _series.ContainsKey(seriesId);

    /// <summary>
    /// True when the series has a document (or an accepted write will give it one) and was found registered in the shard's
    /// series index (or accepted for it) by <see cref="MarkRegistered"/>: a write of a subject without index rules has
    /// nothing to do for it. One lookup where the two questions took two, and a third while the series was only accepted.
    /// Both facts, once true, stay true while the shard is open: neither the series index nor the documents forget a series.
    /// </summary>
    public bool IsRegisteredAndDocumented(ulong seriesId) => _series.TryGetValue(seriesId, out byte state) && (state & Registered) != 0;

    /// <summary>Records that the series, documented here, was found registered (see <see cref="IsRegisteredAndDocumented"/>).</summary>
    public void MarkRegistered(ulong seriesId) => _series.SetBits(seriesId, Registered, addIfAbsent: false);

    /// <summary>Records the series of an accepted write's documents: later batches leave them to it.</summary>
    public void Accept(IReadOnlyList<IndexDocument> documents)
    {
        foreach (IndexDocument document in documents)
        {
            _series.TryAdd(document.SeriesId, Accepted);
        }
    }

    /// <summary>
    /// The documents of <paramref name="documents"/> whose series the store does not hold yet, the first of each series,
    /// recorded as stored: the ones to add. The list itself when every document is wanted. Called by the one thread that
    /// applies batches, for a subject whose documents are one per series (no index rules).
    /// </summary>
    public IReadOnlyList<IndexDocument> TakeUnstored(IReadOnlyList<IndexDocument> documents)
    {
        List<IndexDocument>? kept = null;
        for (int i = 0; i < documents.Count; i++)
        {
            ulong series = documents[i].SeriesId;
            bool wanted = !_series.TryGetValue(series, out byte state) || (state & Stored) == 0;
            if (wanted)
            {
                _series.SetBits(series, Stored, addIfAbsent: true);
            }

            if (kept is null && !wanted)
            {
                kept = [.. documents.Take(i)];
            }
            else if (kept is not null && wanted)
            {
                kept.Add(documents[i]);
            }
        }

        return kept ?? documents;
    }

    /// <summary>Records the series of documents just added to the store (a batch of a subject with index rules).</summary>
    public void MarkStored(IReadOnlyList<IndexDocument> documents)
    {
        foreach (IndexDocument document in documents)
        {
            _series.SetBits(document.SeriesId, Stored, addIfAbsent: true);
        }
    }
}
