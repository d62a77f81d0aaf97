using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Storage.Columns;
using Banyan.Storage.Rows;
using Orleans;
using Xunit;

namespace Banyan.Tests.Shared.Writes;

/// <summary>One stored row read back through the shard grains (timestamp in ns, version or element id bits, every column's value).</summary>
public sealed record StoredRow(ulong SeriesId, long Timestamp, long Version, IReadOnlyDictionary<string, object?> Values)
{
    /// <summary>The value of tag <paramref name="family"/>.<paramref name="name"/> or of field <paramref name="name"/> (family null).</summary>
    public object? this[string? family, string name] => Values.TryGetValue(family is null ? name : family + "." + name, out object? v) ? v : null;
}

/// <summary>Reads back what a subject stored: every registered segment of the group, every shard, through <c>IShardGrain.ReadRows</c>.</summary>
public static class StoredRows
{
    /// <summary>The rows of <paramref name="subject"/> in <paramref name="group"/> within [<paramref name="begin"/>, <paramref name="end"/>] (ns), ordered by timestamp.</summary>
    public static async Task<List<StoredRow>> ReadAsync(IGrainFactory grains, string group, string subject, long begin = long.MinValue, long end = long.MaxValue)
    {
        IGroupGrain groupGrain = grains.GetGrain<IGroupGrain>(group);
        var segments = await groupGrain.GetSegments(begin, end).WaitAsync(TimeSpan.FromSeconds(30));
        List<StoredRow> rows = [];
        if (segments.IsEmpty)
        {
            return rows;
        }

        int shardNum = segments.Max(s => s.Shards.IsEmpty ? 0 : s.Shards.Max()) + 1;
        ShardOwners owners = await groupGrain.GetShardOwners(shardNum).WaitAsync(TimeSpan.FromSeconds(30));
        foreach (SegmentInfo segment in segments)
        {
            foreach (int shard in segment.Shards)
            {
                ShardRows read = await grains.CallShardAsync(new ShardGrainKey(group, segment.Start, shard), owners.OwnerOf(shard), g => g.ReadRows(subject, begin, end, 1_000_000)).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.False(read.Truncated);
                rows.AddRange(Rows(read.Rows));
            }
        }

        rows.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return rows;
    }

    private static IEnumerable<StoredRow> Rows(WriteBatch batch)
    {
        for (int r = 0; r < batch.Count; r++)
        {
            Dictionary<string, object?> values = new(StringComparer.Ordinal);
            foreach (ColumnBuffer column in batch.Columns)
            {
                values[column.Family is null ? column.Name : column.Family + "." + column.Name] = column.GetValue(r) switch
                {
                    { IsNull: true } => null,
                    var v => v.Reference ?? (v.Type == Banyan.Storage.Values.ColumnValueType.Float64 ? (object)v.Float64Value : v.Int64Value),
                };
            }

            yield return new StoredRow(batch.SeriesIds[r], batch.Timestamps[r], batch.Versions[r], values);
        }
    }
}
