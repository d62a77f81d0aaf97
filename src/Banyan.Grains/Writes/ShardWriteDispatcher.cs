using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.GrainInterfaces.Writes;
using Microsoft.Extensions.Logging;

namespace Banyan.Grains.Writes;

/// <summary>
/// Sends the sub-batches of a write plan to their shard grains, all in parallel, after making sure the group's
/// segment registry lists every (segment, shard) written (so a query can find every acknowledged row), and turns each
/// failure into statuses of the elements concerned: an unreachable owner, a timeout or any other failure of the shard
/// is <see cref="WriteStatus.InternalError"/> marked <see cref="ElementRefusal.Retryable"/> (nothing of that sub-batch
/// was acknowledged), a full disk <see cref="WriteStatus.DiskFull"/> (not retryable: it lasts). Nothing is dropped silently.
/// </summary>
/// <remarks>With a <see cref="ShardWriteCoalescer"/>, the sub-batches of this silo's writes to one shard and subject are joined into fewer calls.</remarks>
internal sealed partial class ShardWriteDispatcher(IGrainFactory grains, WriteRouting routing, ILogger logger, ShardWriteCoalescer? coalescer = null)
{
    /// <summary>Writes the plan's sub-batches of <paramref name="subject"/> in <paramref name="group"/>; completes when each has succeeded or failed.</summary>
    public async Task DispatchAsync(string group, GroupSettings settings, string subject, WritePlan plan, DateTimeOffset now)
    {
        if (plan.SubBatches is not { Count: > 0 } set)
        {
            return;
        }

        List<SubBatch> batches = [.. set.Batches];
        ShardOwners owners;
        try
        {
            owners = await routing.GetOwnersAsync(group, settings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            FailAll(plan, batches, $"the owners of group '{group}''s shards are not known: {e.Message}", WriteStatus.InternalError, e);
            return;
        }

        // One registration per segment (for all its new shards), in parallel; then every shard write in parallel.
        Dictionary<long, Task<bool>> registrations = [];
        foreach (IGrouping<long, SubBatch> segment in batches.GroupBy(b => b.SegmentStart))
        {
            registrations[segment.Key] = routing.EnsureRegisteredAsync(group, settings, segment.Key, [.. segment.Select(b => b.Shard)], now);
        }

        await Task.WhenAll(batches.Select(b => WriteOneAsync(group, subject, owners, b, registrations[b.SegmentStart], plan)));
    }

    private async Task WriteOneAsync(string group, string subject, ShardOwners owners, SubBatch batch, Task<bool> registration, WritePlan plan)
    {
        DateTimeOffset segmentStart = DateTimeOffset.UnixEpoch.AddTicks(batch.SegmentStart / 100);
        ShardGrainKey key = new(group, segmentStart, batch.Shard);
        try
        {
            if (!await registration)
            {
                // The segment expired between validation and registration: accepted, not stored (as older data).
                foreach (int _ in batch.Elements)
                {
                    plan.DropExpired();
                }

                return;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(plan, batch, $"segment {key.SegmentText} of group '{group}' could not be registered: {e.Message}", WriteStatus.InternalError, e);
            return;
        }

        try
        {
            string owner = owners.OwnerOf(batch.Shard);
            await (coalescer is null
                ? grains.CallShardAsync(key, owner, g => g.Write(new ShardWrite(subject, batch.Batch)))
                : coalescer.WriteAsync(key, subject, batch.Batch, rows => grains.CallShardAsync(key, owner, g => g.Write(new ShardWrite(subject, rows)))));
        }
        catch (ShardDiskFullException e)
        {
            Fail(plan, batch, e.Message, WriteStatus.DiskFull, e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(plan, batch, $"shard '{key}' did not take the write: {e.Message}", WriteStatus.InternalError, e);
        }
    }

    private void FailAll(WritePlan plan, List<SubBatch> batches, string reason, WriteStatus status, Exception e)
    {
        foreach (SubBatch batch in batches)
        {
            Fail(plan, batch, reason, status, e);
        }
    }

    private void Fail(WritePlan plan, SubBatch batch, string reason, WriteStatus status, Exception e)
    {
        LogShardWriteFailed(e, batch.Elements.Count, reason);
        lock (plan)
        {
            foreach (int element in batch.Elements)
            {
                plan.Refuse(element, status, reason, retryable: status != WriteStatus.DiskFull);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} elements were not written: {Reason}")]
    private partial void LogShardWriteFailed(Exception exception, int count, string reason);
}
