using Banyan.Storage.Query;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Parts;

/// <summary>Merges parts into one new part on disk (measure versions deduplicated, stream rows all kept).</summary>
public static class PartMerger
{
    /// <summary>
    /// Writes every row of <paramref name="parts"/> (oldest first) into a new part at
    /// <paramref name="directory"/>, in (series, timestamp) order, through <see cref="PartMergeIterator"/>.
    /// </summary>
    public static PartMetadata Merge(IReadOnlyList<IPartReader> parts, DataKind kind, string directory, PartWriterOptions? options = null)
    {
        var iterator = new PartMergeIterator(parts, kind, SeriesTimeFilter.All, ColumnProjection.All);
        using var writer = new PartWriter(directory, kind, options);
        while (iterator.MoveNextRun())
        {
            writer.AppendRows(iterator.CurrentBlock, iterator.CurrentRow, iterator.CurrentRunLength);
        }

        return writer.Complete();
    }
}
