using System.Diagnostics;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Hosting;
using Banyan.Grains.Placement;
using Banyan.Grains.Queries;
using Banyan.Grains.Schema;
using Banyan.Grains.Storage;
using Banyan.Grains.Writes;
using Banyan.Storage;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Group = Banyan.Api.Common.V1.Group;
using Measure = Banyan.Api.Database.V1.Measure;
using TagFamilySpec = Banyan.Api.Database.V1.TagFamilySpec;

namespace Banyan.Grains.Shards;

/// <summary>
/// Hosts one engine <see cref="Shard"/> at <c>&lt;DataRoot&gt;/&lt;group&gt;/seg-&lt;yyyyMMddHH&gt;/shard-&lt;n&gt;/</c>
/// on the silo that owns it (<see cref="ShardPlacementAttribute"/>). A thin host: the engine does the
/// work; the grain owns the lifecycle (open on activation, flush and close on deactivation) and the
/// flush and merge timers.
/// </summary>
/// <remarks>
/// Reentrant: writes interleave at their awaits so concurrent batches share one WAL fsync (group
/// commit), and the timers never hold writes back. The engine's write, flush and merge are
/// asynchronous: their I/O runs on the thread pool and the grain only awaits it; a flush never
/// overlaps a flush (nor a merge a merge): a tick while one runs joins it.
/// </remarks>
[ShardPlacement]
[Reentrant]
public sealed partial class ShardGrain(
    [PersistentState("shard", BanyanGrainStorage.Name)] IPersistentState<ShardGrainState> state,
    IOptions<BanyanSiloOptions> options,
    SchemaCache schemas,
    ShardBlockCache blockCache,
    ShardMemoryBudget memoryBudget,
    TopN.ShardTopNListCache topNLists,
    LocalShards localShards,
    [FromKeyedServices(BanyanClock.Key)] TimeProvider clock,
    ILogger<ShardGrain> logger) : Grain, IShardGrain
{
    private readonly BanyanSiloOptions _options = options.Value;
    private ShardGrainKey _key;
    private Task<Shard>? _opening;

    // Stopwatch timestamp of the last failed open: calls within Silo:Shard:OpenRetryInterval of it get its error again.
    private long _openFailedAt;
    private Task? _persistingKind;
    private bool _dropped;
    private readonly HashSet<string> _configuredSubjects = new(StringComparer.Ordinal);
    private readonly List<IGrainTimer> _timers = [];
    private SubjectEntities _subjects = null!;

    // The open shard as queries read it, here and (registered in localShards) from the silo's query path without a grain call.
    private LocalShard? _local;

    // Stopwatch timestamp of the last write (or of the activation): how long the shard has been quiet.
    private long _lastWrite = Stopwatch.GetTimestamp();

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = ShardGrainKey.Parse(this.GetPrimaryKeyString());
        _subjects = new SubjectEntities(_key.Group, schemas);
        if (state.State.Kind is { } kind)
        {
            try
            {
                await OpenAsync(kind);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A shard that cannot be opened (damaged files, a full disk during the replay) must not fail the
                // activation: then no call could reach the grain, and the drop that its segment's expiry or its group's
                // deletion sends would fail for ever. The activation stands without the engine shard; every call tries
                // the open again and answers with its error, and a drop deletes the shard.
                LogOpenFailed(logger, _key.ToString(), e);
            }
        }
    }

    /// <inheritdoc/>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Task<Shard>? opening = _opening;
        _opening = null;
        Telemetry.GrainMetrics.RemoveShard(this);
        if (opening is null || opening.IsFaulted || opening.IsCanceled)
        {
            // Never opened, or opening failed: nothing to close.
            return;
        }

        Shard shard = await opening;
        await CloseLocalAsync();
        try
        {
            await CloseTopNAsync(shard);
            await shard.FlushAsync();
        }
        catch (Exception e) when (e is IOException or StorageFullException)
        {
            // The WAL still holds the rows; the next open replays them.
            LogFlushOnCloseFailed(logger, _key.ToString(), e);
        }
        finally
        {
            await shard.DisposeAsync();
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The engine shard holds every subject of the group; the batch names its subject. In a measure shard
    /// (<see cref="ShardGrainState.SubjectsIndexed"/>) the subject is configured in the engine before its first write,
    /// so the engine's series index records each series with its subject and entity values and queries find series
    /// there; older shards and stream shards tell subjects apart by series id when they are read
    /// (<see cref="SubjectRowReader"/>).
    /// </remarks>
    public async Task Write(ShardWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrEmpty(write.Subject);
        WriteBatch batch = write.Batch ?? throw new ArgumentException("The write carries no batch.", nameof(write));
        ThrowIfDropped();
        _lastWrite = Stopwatch.GetTimestamp();
        if (state.State.Kind is null)
        {
            await PersistKindAsync(batch.Kind);
        }

        DataKind kind = state.State.Kind!.Value;
        if (kind != batch.Kind)
        {
            throw new ArgumentException($"Shard '{_key}' holds {kind} rows; a {batch.Kind} batch cannot be written to it.", nameof(write));
        }

        Shard shard = await OpenAsync(kind);
        ThrowIfDropped();
        await ConfigureSubjectAsync(shard, write.Subject);
        try
        {
            // ShardWrite is immutable once sent: the engine may buffer its batch without copying it.
            await shard.WriteAsync(batch, BatchOwnership.HandedOver);
        }
        catch (StorageFullException e)
        {
            throw new ShardDiskFullException($"Shard '{_key}': {e.Message}", e);
        }

        FeedTopN(shard, write.Subject, batch);
    }

    /// <inheritdoc/>
    public async Task<ShardRows> ReadRows(string subject, long minTimestamp, long maxTimestamp, int maxRows)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        if (minTimestamp > maxTimestamp)
        {
            throw new ArgumentException($"The time range is empty: {minTimestamp} > {maxTimestamp}.", nameof(minTimestamp));
        }

        (string Family, string Tag)[] entity = _subjects.Of(subject);
        if (_dropped || await OpenIfCreatedAsync() is not { } shard || _local is not { } local || !local.TryEnter())
        {
            return new ShardRows(new WriteBatch(state.State.Kind ?? DataKind.Stream), false);
        }

        return await local.ReadEnteredAsync(async _ =>
        {
            if (IsIndexed(shard) && !shard.Indexer!.IsConfigured(subject))
            {
                // The subject was never written to this shard.
                return new ShardRows(new WriteBatch(shard.Kind), false);
            }

            SubjectRowReader reader = new(subject, entity, IsIndexed(shard));
            (WriteBatch rows, bool truncated) = await Task.Run(() => reader.Read(shard, minTimestamp, maxTimestamp, maxRows));
            return new ShardRows(rows, truncated);
        });
    }

    /// <inheritdoc/>
    /// <remarks>The silo's query path reads an open shard without this call when the grain is active on its silo (<see cref="LocalShards"/>).</remarks>
    public async Task<ShardRows> Query(ShardQuery query)
    {
        ShardReader.Validate(query);
        DataKind? kind = state.State.Kind;
        if (_dropped || kind is null || await OpenIfCreatedAsync() is null || _local is not { } local || !local.TryEnter())
        {
            return new ShardRows(new WriteBatch(kind ?? DataKind.Stream), false);
        }

        return await local.ReadEnteredAsync(reader => reader.QueryAsync(query));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The timers stop first, so no tick reaches the closed shard while the activation lives on (until it is idle, or
    /// for good when a step below fails and the group retries the drop); an open still running is awaited and closed.
    /// The TopN lists still in memory belong to the dropped data and go with it. Shards of one segment are dropped at
    /// once: the segment folder goes with whichever is the last, and a shard that finds it gone or not empty leaves it.
    /// </remarks>
    public async Task Drop()
    {
        _dropped = true;
        StopTimers();
        _topN = null;
        Telemetry.GrainMetrics.RemoveShard(this);
        Task<Shard>? opening = _opening;
        _opening = null;
        string folder = _options.ShardFolder(_key);
        Shard? shard = opening is null ? null : await OpenedOrNullAsync(opening);
        if (shard is not null)
        {
            await CloseLocalAsync();
            await shard.DisposeAsync();
        }

        await Task.Run(() => ShardFolders.Delete(folder));
        await state.ClearStateAsync();
        LogDropped(logger, _key);
        this.DeactivateOnIdle();
    }

    // The shard an open gave, or null when it failed (nothing is open then).
    private static async Task<Shard?> OpenedOrNullAsync(Task<Shard> opening)
    {
        try
        {
            return await opening;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<bool> Flush()
    {
        return await OpenIfCreatedAsync() is { } shard && await shard.FlushAsync();
    }

    /// <inheritdoc/>
    public async Task<bool> Merge()
    {
        return await OpenIfCreatedAsync() is { } shard && await shard.MergeAsync();
    }

    /// <inheritdoc/>
    public async Task<ShardStats> GetStats()
    {
        string node = _options.NodeName;
        if (await OpenIfCreatedAsync() is not { } shard)
        {
            return new ShardStats(node, 0, 0, 0, 0);
        }

        return await Task.Run(() =>
        {
            // One view gives counts from one consistent moment.
            using ShardReadView view = shard.AcquireView();
            long rows = 0;
            foreach (Banyan.Storage.Parts.IPartReader part in view.Parts)
            {
                rows += part.Metadata.RowCount;
            }

            return new ShardStats(node, view.Parts.Count - view.DiskPartCount, view.DiskPartCount, rows, shard.MemoryBytes, ShardFolders.Bytes(_options.ShardFolder(_key)));
        });
    }

    private void ThrowIfDropped()
    {
        if (_dropped)
        {
            throw new InvalidOperationException($"Shard '{_key}' has been dropped (its segment expired or its group was deleted).");
        }
    }

    // The first write fixes the kind; it is persisted before the shard folder is created so a
    // re-activation knows how to open what is on disk. Interleaved first writes share one persist.
    private Task PersistKindAsync(DataKind kind)
    {
        if (_persistingKind is { IsFaulted: true } or { IsCanceled: true })
        {
            _persistingKind = null;
        }

        return _persistingKind ??= PersistAsync();

        async Task PersistAsync()
        {
            state.State.Kind = kind;
            state.State.SubjectsIndexed = kind == DataKind.Measure;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                state.State.Kind = null;
                state.State.SubjectsIndexed = false;
                throw;
            }
        }
    }

    // True when the shard keeps a series index of its subjects (see ShardGrainState.SubjectsIndexed) and it exists.
    private bool IsIndexed(Shard shard) => state.State.SubjectsIndexed && shard.Indexer is not null;

    // Before a subject's first write in an indexed shard: the engine learns its entity tags (kept in the shard's
    // idx/subjects.bin, so once per shard; the set only saves the check on later writes). No index rule is configured:
    // the grains decide criteria on rows, the series index is what queries use.
    private async Task ConfigureSubjectAsync(Shard shard, string subject)
    {
        if (!state.State.SubjectsIndexed || _configuredSubjects.Contains(subject))
        {
            return;
        }

        if (shard.Indexer?.IsConfigured(subject) != true)
        {
            string[] entity = [.. _subjects.Of(subject).Select(e => e.Tag)];
            await shard.ConfigureSubjectAsync(new ShardIndexConfig(DataKind.Measure, subject, entity, []));
        }

        _configuredSubjects.Add(subject);
    }

    // The shard, opened if the first write has created it; null before that (nothing on disk).
    private async Task<Shard?> OpenIfCreatedAsync()
        => state.State.Kind is { } kind ? await OpenAsync(kind) : null;

    // A failed open (a damaged file, a full disk) is tried again by the first call after Silo:Shard:OpenRetryInterval,
    // so a repaired file or a freed disk is picked up without a restart; the calls before that get the same error
    // without reading the shard's files again (an open replays the WAL: a client retrying in a loop would otherwise
    // keep the silo re-reading a damaged shard).
    private Task<Shard> OpenAsync(DataKind kind)
    {
        if (_opening is { IsFaulted: true } or { IsCanceled: true }
            && Stopwatch.GetElapsedTime(_openFailedAt) >= _options.Shard.OpenRetryInterval)
        {
            _opening = null;
        }

        return _opening ??= OpenAndStartTimersAsync(kind);
    }

    private async Task<Shard> OpenAndStartTimersAsync(DataKind kind)
    {
        string folder = _options.ShardFolder(_key);

        // Opening replays the WAL: file I/O that must not run on the grain's turn.
        Shard shard;
        try
        {
            shard = await Task.Run(() => Shard.Open(folder, _options.Shard.ShardOptionsFor(kind, blockCache.Cache, memoryBudget.Budget)));
        }
        catch
        {
            _openFailedAt = Stopwatch.GetTimestamp();
            throw;
        }

        ShardRecoveryLog.Write(logger, _key.ToString(), shard.Recovery);
        if (_dropped)
        {
            // Dropped while opening: Drop awaits this open and closes the shard; nothing may read it or tick on it.
            return shard;
        }

        Telemetry.GrainMetrics.AddShard(this, _key.Group, shard);
        // Whether the shard keeps a series index (ShardGrainState.SubjectsIndexed, persisted before the first write opens
        // it) is read here on the grain's turn; whether the index exists yet is asked at each read, off the turn too (it
        // comes to be when the first write configures the first subject, after this).
        bool subjectsIndexed = state.State.SubjectsIndexed;
        _local = new LocalShard(new ShardReader(_key, shard, () => subjectsIndexed && shard.Indexer is not null, _subjects));
        localShards.Add(_key, _local);

        TimeSpan flushPeriod = kind == DataKind.Stream ? _options.Shard.StreamFlushPeriod : _options.Shard.MeasureFlushPeriod;
        _timers.Add(this.RegisterGrainTimer(FlushTickAsync, shard, new GrainTimerCreationOptions(flushPeriod, flushPeriod) { Interleave = true, KeepAlive = false }));
        _timers.Add(this.RegisterGrainTimer(MergeTickAsync, shard, new GrainTimerCreationOptions(_options.Shard.MergePeriod, _options.Shard.MergePeriod) { Interleave = true, KeepAlive = false }));
        StartTopNTimer(shard, kind);
        return shard;
    }

    // The flush, merge and TopN timers of the open shard: stopped when the shard is dropped.
    private void StopTimers()
    {
        foreach (IGrainTimer timer in _timers)
        {
            timer.Dispose();
        }

        _timers.Clear();
    }

    // Before the engine shard closes: the silo's query path stops reading it directly, and the reads in progress end.
    private async Task CloseLocalAsync()
    {
        if (_local is { } local)
        {
            _local = null;
            localShards.Remove(_key, local);
            await local.CloseAsync();
        }
    }

    private async Task FlushTickAsync(Shard shard, CancellationToken cancellationToken)
    {
        try
        {
            await shard.FlushAsync();
        }
        catch (Exception e) when (e is IOException or StorageFullException)
        {
            // Memory parts and the WAL are kept; the next tick retries.
            LogTimerFlushFailed(logger, _key.ToString(), e);
        }
    }

    private async Task MergeTickAsync(Shard shard, CancellationToken cancellationToken)
    {
        try
        {
            // A compaction that does not apply (one part already, rows still in memory) leaves the tick to the merge
            // policy, whose pass also settles a quiet shard.
            if (!(CompactionDue() && await shard.CompactAsync()))
            {
                await shard.MergeAsync();
            }
        }
        catch (Exception e) when (e is IOException or StorageFullException)
        {
            LogTimerMergeFailed(logger, _key.ToString(), e);
        }
    }

    // Whether this merge tick asks the shard to compact (EndedSegmentCompaction); false while the group's segment
    // interval is unknown to this silo.
    private bool CompactionDue()
    {
        TimeSpan idle = _options.Shard.CompactAfterIdle;
        if (idle <= TimeSpan.Zero
            || !schemas.Catalog.TryGetGroup(_key.Group, out Group? group)
            || !GroupSettings.TryFrom(group, out GroupSettings? settings))
        {
            return false;
        }

        DateTimeOffset segmentEnd = _key.SegmentStart + TimeSpan.FromTicks(settings.SegmentNanos / 100);
        return EndedSegmentCompaction.IsDue(clock.GetUtcNow(), segmentEnd, Stopwatch.GetElapsedTime(_lastWrite), idle);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard}: dropped (folder deleted)")]
    private static partial void LogDropped(ILogger logger, ShardGrainKey shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: flush on close failed; the WAL replays the rows at the next open")]
    private static partial void LogFlushOnCloseFailed(ILogger logger, string shard, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: timer flush failed; retried at the next tick")]
    private static partial void LogTimerFlushFailed(ILogger logger, string shard, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shard {Shard}: could not be opened; every call tries again and answers with this error, and a drop deletes the shard. Damage to the WAL: a restart with Silo:Shard:WalRecovery=Repair opens the shard with the records before it (docs/grains.md, \"A shard whose files are damaged\")")]
    private static partial void LogOpenFailed(ILogger logger, string shard, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: timer merge failed; retried at the next tick")]
    private static partial void LogTimerMergeFailed(ILogger logger, string shard, Exception exception);
}
