using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;

namespace Banyan.Storage.Shards;

/// <summary>
/// An acknowledged write not yet built into a memory part: its LSN, the shard's private copy of the
/// batch, the memory it is charged, and its prepared index work (null without indexes). Views carry
/// these so reads see them (through a transient sorted copy) without building anything.
/// </summary>
/// <param name="Lsn">The write's log sequence number.</param>
/// <param name="Batch">The rows (the shard's copy; never modified).</param>
/// <param name="Bytes">Memory charged to it (see <see cref="BatchConcatenation.EstimateBytes"/>).</param>
/// <param name="Index">What the indexes add for it once it is sealed, or null.</param>
/// <param name="MinTimestamp">Smallest timestamp of its rows (reads skip writes outside their range).</param>
/// <param name="MaxTimestamp">Largest timestamp of its rows.</param>
internal sealed record BufferedWrite(long Lsn, WriteBatch Batch, long Bytes, PreparedIndexBatch? Index, long MinTimestamp, long MaxTimestamp)
{
    /// <summary>Makes the record, measuring the batch's time range.</summary>
    public static BufferedWrite Of(long lsn, WriteBatch batch, long bytes, PreparedIndexBatch? index)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (long t in batch.Timestamps)
        {
            min = Math.Min(min, t);
            max = Math.Max(max, t);
        }

        return new BufferedWrite(lsn, batch, bytes, index, min, max);
    }
}
