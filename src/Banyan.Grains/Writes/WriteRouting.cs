using System.Collections.Concurrent;
using System.Collections.Immutable;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Groups;

namespace Banyan.Grains.Writes;

/// <summary>
/// What the write path of one silo knows about each group's shards (a singleton per silo, shared by every stream and
/// measure grain activation on it): the owner of each shard and which (segment, shard) pairs are already in the group's
/// segment registry. It asks the group grain only for what it does not know yet: owners once per group (again when
/// <c>shard_num</c> grows), a registration once per new segment and set of shards, never per batch in steady state.
/// </summary>
/// <remarks>
/// Entries are keyed by the group's <c>create_revision</c>: a group deleted and created again under the same name
/// starts from nothing (its assignment and registry were cleared by the deletion). Segments that have expired are
/// forgotten when a new segment is registered.
/// </remarks>
public sealed class WriteRouting(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<string, GroupRouting> _groups = new(StringComparer.Ordinal);

    /// <summary>The owners of the group's shards, from the cache when it covers the group's <c>shard_num</c>.</summary>
    internal async Task<ShardOwners> GetOwnersAsync(string group, GroupSettings settings)
    {
        GroupRouting routing = RoutingOf(group, settings);
        if (routing.Owners is { } known && known.Owners.Length >= settings.ShardNum)
        {
            return known;
        }

        ShardOwners owners = await grains.GetGrainCached<IGroupGrain>(group).GetShardOwners(settings.ShardNum);
        routing.Owners = owners;
        return owners;
    }

    /// <summary>
    /// Makes sure the group's registry lists <paramref name="shards"/> of the segment starting at
    /// <paramref name="segmentStart"/> (ns) before rows are written there. False when the group grain says the segment
    /// has expired (its rows must be dropped).
    /// </summary>
    internal async Task<bool> EnsureRegisteredAsync(string group, GroupSettings settings, long segmentStart, IReadOnlyCollection<int> shards, DateTimeOffset now)
    {
        GroupRouting routing = RoutingOf(group, settings);
        ImmutableHashSet<int> known = routing.Segments.TryGetValue(segmentStart, out ImmutableHashSet<int>? set) ? set : [];
        if (shards.All(known.Contains))
        {
            return true;
        }

        ImmutableArray<int> missing = [.. shards.Where(s => !known.Contains(s)).Order()];
        SegmentInfo? registered = await grains.GetGrainCached<IGroupGrain>(group).RegisterShards(FromNanos(segmentStart), missing);
        if (registered is null)
        {
            return false;
        }

        routing.Segments.AddOrUpdate(segmentStart, _ => [.. registered.Shards], (_, old) => old.Union(registered.Shards));
        foreach (long start in routing.Segments.Keys)
        {
            if (settings.IsExpired(start, now))
            {
                routing.Segments.TryRemove(start, out _);
            }
        }

        return true;
    }

    /// <summary>Forgets what is known of <paramref name="group"/> (its data was dropped).</summary>
    public void Forget(string group) => _groups.TryRemove(group, out _);

    private GroupRouting RoutingOf(string group, GroupSettings settings)
    {
        GroupRouting routing = _groups.GetOrAdd(group, static (_, revision) => new GroupRouting(revision), settings.CreateRevision);
        if (routing.CreateRevision != settings.CreateRevision)
        {
            GroupRouting fresh = new(settings.CreateRevision);
            routing = _groups.AddOrUpdate(group, fresh, (_, current) => current.CreateRevision == settings.CreateRevision ? current : fresh);
        }

        return routing;
    }

    private static DateTimeOffset FromNanos(long nanos) => DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);

    private sealed class GroupRouting(long createRevision)
    {
        public long CreateRevision { get; } = createRevision;

        public ShardOwners? Owners { get; set; }

        public ConcurrentDictionary<long, ImmutableHashSet<int>> Segments { get; } = new();
    }
}
