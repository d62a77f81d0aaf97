using System.Collections.Immutable;
using System.Diagnostics;
using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Hosting;
using Banyan.Grains.Schema;
using Banyan.Grains.Storage;
using Banyan.Grains.Writes;
using Banyan.Storage.TimeSegments;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Groups;

/// <summary>
/// One group: keeps the persisted shard → owner-node assignment (see <see cref="ShardAssignment"/>) and the registry of
/// the group's segments (<see cref="SegmentRecord"/>), and runs the segment lifecycle on a grain timer: the next segment
/// is created once the current one is 80 % consumed, and the shards of a segment whose end is at or before
/// now − TTL are dropped (<see cref="SegmentOptions.DropDelay"/> later; queries stop seeing it at once).
/// </summary>
/// <remarks>
/// Times come from the data clock (<see cref="BanyanClock"/>), the group's settings from this silo's schema cache. The
/// timer keeps the grain active; every silo wakes the groups of its catalog when it starts
/// (<see cref="GroupLifecycleStarter"/>), so retention runs after a restart even before the first write.
/// </remarks>
public sealed partial class GroupGrain(
    [PersistentState("group", BanyanGrainStorage.Name)] IPersistentState<GroupState> state,
    IClusterMembershipService membership,
    SchemaCache cache,
    [FromKeyedServices(BanyanClock.Key)] TimeProvider clock,
    IOptions<BanyanSiloOptions> options,
    ILogger<GroupGrain> logger) : Grain, IGroupGrain
{
    // "Created ahead once the current segment is 80 % consumed" (docs/storage.md, the engine's Rotate).
    private const double CreateAheadFraction = 0.8;

    private readonly SegmentOptions _options = options.Value.Segments;

    private volatile int _segmentCount;

    // When the last lease of a segment listing given by this activation runs out (Stopwatch timestamp): a registration
    // of new shards is not acknowledged before it.
    private long _leasesEnd;

    private string Group => this.GetPrimaryKeyString();

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        TimeSpan period = _options.MaintenancePeriod;
        this.RegisterGrainTimer(MaintainTickAsync, new GrainTimerCreationOptions(period, period) { Interleave = false, KeepAlive = true });

        // Read when /metrics is scraped, on an exporter thread: a copied count, because grain state may only be
        // touched from the grain's own turns (Orleans refuses the access elsewhere).
        _segmentCount = state.State.Segments.Count;
        Telemetry.GrainMetrics.SetGroup(Group, () => _segmentCount);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Telemetry.GrainMetrics.RemoveGroup(Group);

        // The next activation knows of no lease: it starts only once this one's have run out (a silo that dies instead
        // is declared dead by membership after seconds, far past any lease).
        try
        {
            await WaitForLeasesAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Deactivation ran out of time: the silo is going away; its leases end within the lease anyway.
        }
    }

    /// <inheritdoc/>
    public async Task<ShardOwners> GetShardOwners(int shardNum)
    {
        string group = Group;
        ShardGrainKey.ValidateGroupName(group);
        if (shardNum < 1 || shardNum > ShardOwners.MaxShards)
        {
            throw new ArgumentOutOfRangeException(nameof(shardNum), shardNum, $"A group has 1 to {ShardOwners.MaxShards} shards.");
        }

        if (SettingsOrNull() is { } settings)
        {
            await ForgetOtherIncarnationAsync(settings);
        }

        List<string> owners = state.State.ShardOwners;
        if (owners.Count < shardNum)
        {
            // Extend a copy: if the write fails the activation keeps the assignment that is on disk.
            List<string> extended = [.. owners];
            ShardAssignment.Extend(extended, shardNum, NodesUp());
            state.State.ShardOwners = extended;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                state.State.ShardOwners = owners;
                throw;
            }

            owners = extended;
        }

        return new ShardOwners(group, [.. owners.Take(shardNum)]);
    }

    /// <inheritdoc/>
    public async Task<SegmentInfo?> RegisterShards(DateTimeOffset segmentStart, ImmutableArray<int> shards)
    {
        GroupSettings settings = SettingsOrNull() ?? throw new SchemaNotFoundException(SchemaKey.ForGroup(Group));
        long start = SegmentInfo.UnixNanos(segmentStart);
        if (settings.SegmentStartOf(start) != start)
        {
            throw new ArgumentException($"{segmentStart:O} is not a segment start of group '{Group}' (segments of {settings.SegmentInterval.Duration} from the Unix epoch, UTC).", nameof(segmentStart));
        }

        foreach (int shard in shards.IsDefault ? [] : shards)
        {
            if (shard < 0 || shard >= settings.ShardNum)
            {
                throw new ArgumentException($"Shard {shard} is not a shard of group '{Group}' (0 to {settings.ShardNum - 1}).", nameof(shards));
            }
        }

        if (settings.IsExpired(start, clock.GetUtcNow()))
        {
            return null;
        }

        await ForgetOtherIncarnationAsync(settings);
        List<SegmentRecord> segments = state.State.Segments;
        SegmentRecord? record = segments.Find(s => s.Start == segmentStart);
        if (record is { PendingDrop: true })
        {
            throw new InvalidOperationException($"Segment {segmentStart:O} of group '{Group}' still holds data of a deleted incarnation of the group that could not be dropped yet (an owner down, or a deletion that failed and is retried by the group's maintenance); writes to it are refused until it is.");
        }

        SortedSet<int> merged = [.. record?.Shards ?? [], .. shards.IsDefault ? [] : shards];
        if (record is not null && merged.Count == record.Shards.Count)
        {
            return record.ToInfo();
        }

        SegmentRecord updated = new()
        {
            Start = segmentStart.ToUniversalTime(),
            End = SegmentAlignment.FromNanos(start).Add(settings.SegmentInterval.Duration),
            Shards = [.. merged],
        };
        await CommitAsync(s =>
        {
            s.Segments = [.. s.Segments.Where(r => r.Start != segmentStart), updated];
            s.Segments.Sort((a, b) => a.Start.CompareTo(b.Start));
        });

        // Listings given from now on hold the new shards; those given before may be in use until their leases end.
        await WaitForLeasesAsync(CancellationToken.None);
        return updated.ToInfo();
    }

    /// <inheritdoc/>
    public Task<ImmutableArray<SegmentInfo>> GetSegments(long begin, long end)
    {
        if (SettingsOrNull() is not { } settings || settings.CreateRevision != state.State.GroupRevision)
        {
            // No group, or only segments of a deleted incarnation of it: nothing to read.
            return Task.FromResult(ImmutableArray<SegmentInfo>.Empty);
        }

        return Task.FromResult(settings.Readable(state.State.Segments.Where(s => !s.PendingDrop).Select(s => s.ToInfo()), clock.GetUtcNow(), begin, end));
    }

    /// <inheritdoc/>
    public Task<SegmentListing> GetSegmentListing()
    {
        TimeSpan lease = _options.ListingLease;
        _leasesEnd = Math.Max(_leasesEnd, Stopwatch.GetTimestamp() + (long)(lease.TotalSeconds * Stopwatch.Frequency));
        return Task.FromResult(new SegmentListing(
            state.State.GroupRevision,
            [.. state.State.Segments.Where(s => !s.PendingDrop).Select(s => s.ToInfo())],
            lease));
    }

    /// <inheritdoc/>
    public Task<bool> HoldsData() => Task.FromResult(state.State.Segments.Exists(s => s.Shards.Count > 0));

    /// <inheritdoc/>
    public Task<SegmentMaintenance> Maintain() => MaintainCoreAsync();

    private Task WaitForLeasesAsync(CancellationToken cancellationToken)
    {
        long left = _leasesEnd - Stopwatch.GetTimestamp();
        return left > 0 ? Task.Delay(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency), cancellationToken) : Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<SegmentMaintenance> DropAll()
    {
        SegmentMaintenance result = await DropSegmentsAsync(state.State.Segments, forgetOwnersWhenDone: true);
        await CommitAsync(s => s.GroupRevision = 0);
        return result;
    }

    private async Task MaintainTickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MaintainCoreAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogMaintenanceFailed(e, Group);
        }
    }

    private async Task<SegmentMaintenance> MaintainCoreAsync()
    {
        if (!cache.IsLoaded)
        {
            return new SegmentMaintenance([], [], [.. state.State.Segments.Where(s => s.PendingDrop).Select(s => s.Start)]);
        }

        if (SettingsOrNull() is not { } settings)
        {
            // The group is gone (its deletion could not drop everything, or missed this grain): drop what it registered.
            return await DropSegmentsAsync(state.State.Segments, forgetOwnersWhenDone: false);
        }

        await ForgetOtherIncarnationAsync(settings);
        DateTimeOffset now = clock.GetUtcNow();
        List<DateTimeOffset> created = [];
        long nowNanos = SegmentInfo.UnixNanos(now);
        long current = settings.SegmentStartOf(nowNanos);
        if (nowNanos - current >= (long)(settings.SegmentNanos * CreateAheadFraction))
        {
            DateTimeOffset next = SegmentAlignment.FromNanos(current + settings.SegmentNanos);
            if (!state.State.Segments.Exists(s => s.Start == next))
            {
                SegmentRecord ahead = new() { Start = next, End = next.Add(settings.SegmentInterval.Duration) };
                await CommitAsync(s =>
                {
                    s.Segments = [.. s.Segments, ahead];
                    s.Segments.Sort((a, b) => a.Start.CompareTo(b.Start));
                });
                created.Add(next);
            }
        }

        // Expired segments are invisible to queries at once (GetSegments); they are deleted DropDelay later.
        DateTimeOffset dropHorizon = now - settings.Ttl.Duration - _options.DropDelay;
        List<SegmentRecord> due = [.. state.State.Segments.Where(s => s.PendingDrop || s.End <= dropHorizon)];
        SegmentMaintenance dropped = due.Count == 0 ? new SegmentMaintenance([], [], []) : await DropSegmentsAsync(due, forgetOwnersWhenDone: false);
        return dropped with { Created = [.. created] };
    }

    // Drops every shard of the given segments, in parallel; forgets the segments whose shards are all gone and keeps the
    // others as pending (only the shards still to drop).
    private async Task<SegmentMaintenance> DropSegmentsAsync(List<SegmentRecord> segments, bool forgetOwnersWhenDone)
    {
        List<SegmentRecord> targets = [.. segments];
        if (targets.Count == 0)
        {
            if (forgetOwnersWhenDone && state.State.ShardOwners.Count > 0)
            {
                await CommitAsync(s => s.ShardOwners = []);
            }

            return new SegmentMaintenance([], [], []);
        }

        List<string> owners = state.State.ShardOwners;
        List<(SegmentRecord Segment, int Shard, Task Drop)> drops = [];
        foreach (SegmentRecord segment in targets)
        {
            foreach (int shard in segment.Shards)
            {
                ShardGrainKey key = new(Group, segment.Start, shard);
                Task drop = shard < owners.Count
                    ? GrainFactory.CallShardAsync(key, owners[shard], g => g.Drop())
                    : Task.FromException(new InvalidOperationException($"Shard {shard} of group '{Group}' has no owner; this is a bug."));
                drops.Add((segment, shard, drop));
            }
        }

        try
        {
            await Task.WhenAll(drops.Select(d => d.Drop));
        }
        catch
        {
            // Each failure is looked at below.
        }

        List<DateTimeOffset> done = [];
        List<DateTimeOffset> pending = [];
        Dictionary<DateTimeOffset, List<int>> left = [];
        foreach ((SegmentRecord segment, int shard, Task drop) in drops)
        {
            if (!drop.IsCompletedSuccessfully)
            {
                LogDropFailed(drop.Exception?.GetBaseException(), Group, segment.Start, shard);
                (left.TryGetValue(segment.Start, out List<int>? list) ? list : left[segment.Start] = []).Add(shard);
            }
        }

        HashSet<DateTimeOffset> targeted = [.. targets.Select(t => t.Start)];
        foreach (SegmentRecord segment in targets)
        {
            (left.ContainsKey(segment.Start) ? pending : done).Add(segment.Start);
        }

        await CommitAsync(s =>
        {
            s.Segments =
            [
                .. s.Segments.Where(r => !targeted.Contains(r.Start)),
                .. left.Select(l => new SegmentRecord
                {
                    Start = l.Key,
                    End = targets.First(t => t.Start == l.Key).End,
                    Shards = l.Value,
                    PendingDrop = true,
                }),
            ];
            s.Segments.Sort((a, b) => a.Start.CompareTo(b.Start));
            if (forgetOwnersWhenDone && left.Count == 0)
            {
                s.ShardOwners = [];
            }
        });
        foreach (DateTimeOffset start in done)
        {
            LogSegmentDropped(Group, start);
        }

        return new SegmentMaintenance([], [.. done], [.. pending]);
    }

    // A group deleted and created again under the same name has another create_revision: whatever this grain registered
    // for the old one is dropped before the new one registers anything.
    private async Task ForgetOtherIncarnationAsync(GroupSettings settings)
    {
        if (state.State.GroupRevision == settings.CreateRevision)
        {
            return;
        }

        if (state.State.GroupRevision != 0 && state.State.Segments.Count > 0)
        {
            await DropSegmentsAsync(state.State.Segments, forgetOwnersWhenDone: false);
        }

        await CommitAsync(s => s.GroupRevision = settings.CreateRevision);
    }

    // Changes a copy of the state, persists it, and keeps the old state in memory if persisting fails.
    private async Task CommitAsync(Action<GroupState> change)
    {
        GroupState previous = state.State;
        GroupState next = new()
        {
            ShardOwners = [.. previous.ShardOwners],
            Segments = [.. previous.Segments],
            GroupRevision = previous.GroupRevision,
        };
        change(next);
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
        finally
        {
            _segmentCount = state.State.Segments.Count;
        }
    }

    private GroupSettings? SettingsOrNull()
        => cache.Catalog.TryGetGroup(Group, out Group? group) && GroupSettings.TryFrom(group, out GroupSettings? settings) ? settings : null;

    private SortedSet<string> NodesUp()
    {
        SortedSet<string> names = new(StringComparer.Ordinal);
        foreach (ClusterMember member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && !string.IsNullOrEmpty(member.Name))
            {
                names.Add(member.Name);
            }
        }

        return names;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: segment {Start:O} dropped")]
    private partial void LogSegmentDropped(string group, DateTimeOffset start);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group}: shard {Shard} of segment {Start:O} could not be dropped; retried by the next maintenance")]
    private partial void LogDropFailed(Exception? exception, string group, DateTimeOffset start, int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group}: segment maintenance failed; retried at the next tick")]
    private partial void LogMaintenanceFailed(Exception exception, string group);
}
