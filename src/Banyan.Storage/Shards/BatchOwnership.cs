namespace Banyan.Storage.Shards;

/// <summary>Who owns a batch once it is passed to <see cref="Shard.WriteAsync(Rows.WriteBatch, BatchOwnership)"/>.</summary>
public enum BatchOwnership
{
    /// <summary>
    /// The caller keeps the batch and may change or reuse it once the write has started: the shard buffers a copy.
    /// </summary>
    CallerKeeps,

    /// <summary>
    /// The caller hands the batch over: the shard buffers it as it is, without a copy, until it is sealed into a
    /// memory part. The caller may still read it but must never change it again (a grain call's batch, which nobody
    /// changes once it is sent, is one). Saves a copy of every row and column on the write path.
    /// </summary>
    HandedOver,
}
