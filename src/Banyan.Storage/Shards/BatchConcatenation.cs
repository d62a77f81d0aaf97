using Banyan.Storage.Columns;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Shards;

/// <summary>
/// Copies and concatenates write batches. A shard buffers the batches of many writes and builds
/// one memory part from all of them: building costs per block (one block per series), so one part
/// from many small time-major batches is far cheaper than a part per batch (VictoriaMetrics
/// buffers raw rows for the same reason).
/// </summary>
internal static class BatchConcatenation
{
    /// <summary>Estimated memory of a batch: keys plus column data.</summary>
    public static long EstimateBytes(WriteBatch batch)
    {
        long bytes = batch.Count * 24L;
        foreach (ColumnBuffer column in batch.Columns)
        {
            bytes += column.UncompressedSize;
        }

        return Math.Max(1, bytes);
    }

    /// <summary>A private copy of <paramref name="batch"/>, so the caller may reuse its batch.</summary>
    public static WriteBatch Copy(WriteBatch batch)
    {
        WriteBatch copy = new(batch.Kind, batch.Subject);
        if (!TryAppend(copy, batch))
        {
            throw new InvalidOperationException("bug: copying a batch into an empty one cannot conflict");
        }

        return copy;
    }

    /// <summary>
    /// Appends <paramref name="source"/> to <paramref name="target"/>; columns missing on either side
    /// get nulls. False (target unchanged) when a column has a different type in the two.
    /// </summary>
    public static bool TryAppend(WriteBatch target, WriteBatch source) => target.TryAppendBatch(source);
}
