using System.Collections.Immutable;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Groups;
using Banyan.Grains.Hosting;
using Banyan.Grains.Storage;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Schema;

/// <summary>
/// The schema catalog (<see cref="IMetadataGrain"/>, key <see cref="IMetadataGrain.CatalogKey"/>): runs BanyanDB's
/// registry operations (<see cref="SchemaRegistry"/>), persists the catalog through the <c>banyan</c> grain storage
/// (<see cref="MetadataGrainState"/>, state name <c>catalog</c>), then pushes the change to every silo's schema cache
/// and only then answers.
/// </summary>
/// <remarks>
/// Changes run one at a time (the grain is not reentrant); reads interleave with them and see the catalog before or
/// after a change (<see cref="_catalog"/> is replaced only after the change is durable). Caches that are pushed to:
/// every active member of the cluster (by node name) plus every silo that registered at start
/// (<see cref="RegisterCache"/>) and is not known to have failed since.
/// </remarks>
public sealed partial class MetadataGrain(
    [PersistentState("catalog", BanyanGrainStorage.Name)] IPersistentState<MetadataGrainState> state,
    IClusterMembershipService membership,
    IOptions<BanyanSiloOptions> options,
    TimeProvider time,
    ILogger<MetadataGrain> logger) : Grain, IMetadataGrain
{
    private static readonly TimeSpan s_registeredRetryDelay = TimeSpan.FromMilliseconds(200);
    private readonly SchemaOptions _options = options.Value.Schema;
    private readonly HashSet<string> _registeredCaches = new(StringComparer.Ordinal);
    private SchemaCatalog _catalog = SchemaCatalog.Empty;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        if (!string.Equals(key, IMetadataGrain.CatalogKey, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The metadata grain has one instance, key '{IMetadataGrain.CatalogKey}'; '{key}' was called. This is a bug in the caller.");
        }

        _catalog = SchemaCatalogCodec.Decode(state.State.Catalog);
        LogLoaded(_catalog.Revision, _catalog.Count);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<long> Create(IMessage schema)
    {
        SchemaEdit edit = SchemaRegistry.Create(_catalog, schema, time.GetUtcNow());
        await CommitAsync(edit);
        return edit.Change!.Revision;
    }

    /// <inheritdoc/>
    public async Task<long> Update(IMessage schema)
    {
        (SchemaEdit edit, long modRevision) = SchemaRegistry.Update(_catalog, schema, time.GetUtcNow());
        await CommitAsync(edit);
        return modRevision;
    }

    /// <inheritdoc/>
    public async Task<SchemaDeletion> Delete(SchemaKey key)
    {
        (SchemaEdit edit, SchemaDeletion deletion) = SchemaRegistry.Delete(_catalog, key, time.GetUtcNow());
        await CommitAsync(edit);
        return deletion;
    }

    /// <inheritdoc/>
    public async Task<SchemaDeletion> DeleteGroup(string group, bool dryRun)
    {
        DateTimeOffset started = time.GetUtcNow();
        (SchemaEdit edit, SchemaDeletion deletion) = SchemaRegistry.DeleteGroup(_catalog, group, dryRun, started);
        if (dryRun || edit.Change is null)
        {
            return deletion;
        }

        await CommitRecordingFailureAsync(group, edit, dataOnly: false, started);
        string? dataNote = await DropGroupDataAsync(group, g => g.DropAll());
        await RecordDeletionAsync(group, GroupDeletionTasks.Completed(deletion.Contents, dataOnly: false, started, time.GetUtcNow(), dataNote));
        return deletion;
    }

    /// <inheritdoc/>
    public async Task<SchemaDeletion> DeleteGroupData(string group)
    {
        DateTimeOffset started = time.GetUtcNow();
        (SchemaEdit edit, SchemaDeletion deletion) = SchemaRegistry.DeleteGroupData(_catalog, group, started);
        await CommitRecordingFailureAsync(group, edit, dataOnly: true, started);

        // The group grain drops the old incarnation's segments when it first sees the new one: in its lifecycle run
        // asked for here, or in a registration of a write of the new incarnation that came first.
        string? dataNote = await DropGroupDataAsync(group, g => g.Maintain());
        await RecordDeletionAsync(group, GroupDeletionTasks.Completed(deletion.Contents, dataOnly: true, started, time.GetUtcNow(), dataNote));
        return deletion;
    }

    // A deletion whose catalog change cannot be stored changed nothing: its task says so, and the caller gets the error.
    private async Task CommitRecordingFailureAsync(string group, SchemaEdit edit, bool dataOnly, DateTimeOffset started)
    {
        try
        {
            await CommitAsync(edit);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await RecordDeletionAsync(group, GroupDeletionTasks.Failed(dataOnly, started, time.GetUtcNow(), e));
            throw;
        }
    }

    // The deletion's task for GroupRegistryService/Query. The deletion itself is done (or failed) whatever happens here:
    // a task that cannot be stored is logged, and the caller still gets the deletion's own answer.
    private async Task RecordDeletionAsync(string group, Api.Database.V1.GroupDeletionTask task)
    {
        try
        {
            await GrainFactory.GetGrain<IGroupDeletionTaskGrain>(group).Record(task).WaitAsync(_options.CachePushTimeout);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogDeletionTaskNotRecorded(e, group);
        }
    }

    /// <inheritdoc/>
    public Task<IMessage> Get(SchemaKey key) => Task.FromResult(SchemaRegistry.Get(_catalog, key));

    /// <inheritdoc/>
    public Task<ImmutableArray<IMessage>> List(SchemaKind kind, string group) => Task.FromResult(SchemaRegistry.List(_catalog, kind, group));

    /// <inheritdoc/>
    public Task<SchemaExistence> Exist(SchemaKey key) => Task.FromResult(SchemaRegistry.Exist(_catalog, key));

    /// <inheritdoc/>
    public Task<long> GetRevision() => Task.FromResult(_catalog.Revision);

    /// <inheritdoc/>
    public Task<SchemaCatalogSnapshot> RegisterCache(string nodeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        _registeredCaches.Add(nodeName);
        return Task.FromResult(_catalog.ToSnapshot());
    }

    // Persist, then install, then publish: a change is visible (here and in caches) only once it is durable, and the
    // caller hears of it only once the caches have it.
    private async Task CommitAsync(SchemaEdit edit)
    {
        if (edit.Change is not { } change)
        {
            return;
        }

        byte[]? previous = state.State.Catalog;
        state.State.Catalog = SchemaCatalogCodec.Encode(edit.Next);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The catalog in memory is unchanged; the stored state (or its ETag) may not be: the next call re-reads it.
            state.State.Catalog = previous;
            this.DeactivateOnIdle();
            throw;
        }

        _catalog = edit.Next;
        LogChanged(change.Revision, change.Upserts.Length, change.Deletions.Length);
        await PublishAsync(change, edit.Next);
    }

    // The group's data goes once every cache has the change (a deleted group: writes to it are refused from now on; a
    // data-only deletion: no query reads the old incarnation and no write goes to it). Shards that cannot be dropped now
    // (owner down, a failed deletion) stay registered as pending and are dropped by the group's maintenance later, so the
    // deletion itself does not fail for them. `drop` is the group grain's DropAll (group deleted) or Maintain (renewed).
    // Null when every shard of the group's old data is dropped; otherwise what is left, for the deletion task.
    private async Task<string?> DropGroupDataAsync(string group, Func<IGroupGrain, Task<SegmentMaintenance>> drop)
    {
        try
        {
            SegmentMaintenance dropped = await drop(GrainFactory.GetGrain<IGroupGrain>(group)).WaitAsync(_options.CachePushTimeout * 3);
            if (dropped.Pending.Length > 0)
            {
                LogGroupDataPending(group, dropped.Pending.Length);
                return $"{dropped.Pending.Length} segments keep shards that could not be dropped yet (an owner down); the group's maintenance drops them";
            }

            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogGroupDataNotDropped(e, group);
            return $"the data could not be dropped now: {e.Message}";
        }
    }

    private async Task PublishAsync(SchemaChange change, SchemaCatalog catalog)
    {
        HashSet<string> active = ActiveNodes();
        HashSet<string> targets = new(active, StringComparer.Ordinal);
        targets.UnionWith(_registeredCaches);
        SchemaCatalogSnapshot? snapshot = null;
        await Task.WhenAll(targets.Select(node => PushAsync(node, active.Contains(node), change, () => snapshot ??= catalog.ToSnapshot())));
    }

    // Pushes one change to one silo's cache, bounded by CachePushTimeout. A silo that registered at start but that this
    // silo's membership view does not list as active yet (placement refuses it) is retried until the bound, so a change
    // made while the view catches up is not lost. A silo that cannot take the change is logged and skipped: it loads the
    // whole catalog when it starts again, and one that is not an active member is not pushed to until it registers again.
    private async Task PushAsync(string node, bool isActive, SchemaChange change, Func<SchemaCatalogSnapshot> snapshot)
    {
        TimeSpan bound = _options.CachePushTimeout;
        long start = time.GetTimestamp();
        ISchemaCacheGrain cache = GrainFactory.GetGrain<ISchemaCacheGrain>(node);
        while (true)
        {
            TimeSpan left = bound - time.GetElapsedTime(start);
            try
            {
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"no answer within {bound}");
                }

                if (!await cache.Apply(change).WaitAsync(left))
                {
                    TimeSpan rest = bound - time.GetElapsedTime(start);
                    await cache.Load(snapshot()).WaitAsync(rest > TimeSpan.Zero ? rest : TimeSpan.FromMilliseconds(1));
                }

                return;
            }
            catch (SiloUnavailableException) when (!isActive && time.GetElapsedTime(start) + s_registeredRetryDelay < bound)
            {
                await Task.Delay(s_registeredRetryDelay);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogPushFailed(e, node, change.Revision);
                if (!isActive)
                {
                    _registeredCaches.Remove(node);
                }

                return;
            }
        }
    }

    private HashSet<string> ActiveNodes()
    {
        HashSet<string> names = new(StringComparer.Ordinal);
        foreach (ClusterMember member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && !string.IsNullOrEmpty(member.Name))
            {
                names.Add(member.Name);
            }
        }

        return names;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} (or only its data) was deleted; {Count} of its segments keep shards that could not be dropped yet (an owner down, or a failure the group logged); the group's maintenance retries them")]
    private partial void LogGroupDataPending(string group, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} (or only its data) was deleted but its data could not be dropped now; its group grain drops it later")]
    private partial void LogGroupDataNotDropped(Exception exception, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group}: the task of its deletion (for GroupRegistryService/Query) could not be stored; the deletion itself is not affected")]
    private partial void LogDeletionTaskNotRecorded(Exception exception, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema catalog loaded at revision {Revision} with {Count} schemas")]
    private partial void LogLoaded(long revision, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schema catalog revision {Revision}: {Upserts} stored, {Deletions} deleted")]
    private partial void LogChanged(long revision, int upserts, int deletions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The schema cache of node '{Node}' did not take catalog revision {Revision}; it is skipped and reloads the catalog when it starts")]
    private partial void LogPushFailed(Exception exception, string node, long revision);
}
