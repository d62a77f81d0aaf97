using Banyan.Storage.Index.Segments;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// The index work of one write batch, computed and validated by <see cref="ShardIndexer.Prepare"/>
/// before the batch is logged, and applied by <see cref="ShardIndexer.Apply"/> once it has its
/// sequence number. Splitting the two means a batch the index would reject never reaches the WAL.
/// </summary>
public sealed class PreparedIndexBatch
{
    internal PreparedIndexBatch(SubjectIndex target, List<IndexDocument> documents, List<(string Subject, IReadOnlyList<string> EntityTagNames, IReadOnlyList<TagValue> EntityValues)> series, List<ulong> seriesIds)
    {
        Target = target;
        Documents = documents;
        Series = series;
        SeriesIds = seriesIds;
    }

    /// <summary>The subject the batch belongs to.</summary>
    public string Subject => Target.Config.Subject;

    /// <summary>The inverted-index documents (stream: one per element; measure: one per series and distinct indexed values).</summary>
    public IReadOnlyList<IndexDocument> Documents { get; }

    /// <summary>Number of distinct series in the batch.</summary>
    public int SeriesCount => Series.Count;

    /// <summary>The subject's index under the configuration the documents were prepared for (its schema is applied with them).</summary>
    internal SubjectIndex Target { get; }

    /// <summary>The distinct series of the batch with their entity values, for the series index.</summary>
    internal List<(string Subject, IReadOnlyList<string> EntityTagNames, IReadOnlyList<TagValue> EntityValues)> Series { get; }

    /// <summary>The ids of <see cref="Series"/>, in the same order.</summary>
    internal List<ulong> SeriesIds { get; }
}
