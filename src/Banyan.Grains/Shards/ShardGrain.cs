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
    TopN.ShardTopNListCache topNLists,
    [FromKeyedServices(BanyanClock.Key)] TimeProvider clock,
    ILogger<ShardGrain> logger) : Grain, IShardGrain
{
    // Reads of at most this many series that the query names outright run on the grain's turn (see Query).
    private const int InlineReadSeries = 4;

    // Index lookups (and the statistics answers with them) of a shard holding at most this many series run on the grain's
    // turn (see Query): a few milliseconds at most.
    private const int InlineLookupSeries = 8192;

    private readonly BanyanSiloOptions _options = options.Value;
    private ShardGrainKey _key;
    private Task<Shard>? _opening;
    private Task? _persistingKind;
    private bool _dropped;
    private readonly HashSet<string> _configuredSubjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (SchemaCatalog Catalog, (string Family, string Tag)[] Entity)> _entities = new(StringComparer.Ordinal);

    // Stopwatch timestamp of the last write (or of the activation): how long the shard has been quiet.
    private long _lastWrite = Stopwatch.GetTimestamp();

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = ShardGrainKey.Parse(this.GetPrimaryKeyString());
        if (state.State.Kind is { } kind)
        {
            await OpenAsync(kind);
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

        (string Family, string Tag)[] entity = EntityOf(subject);
        if (_dropped || await OpenIfCreatedAsync() is not { } shard)
        {
            return new ShardRows(new WriteBatch(state.State.Kind ?? DataKind.Stream), false);
        }

        if (IsIndexed(shard) && !shard.Indexer!.IsConfigured(subject))
        {
            // The subject was never written to this shard.
            return new ShardRows(new WriteBatch(shard.Kind), false);
        }

        SubjectRowReader reader = new(subject, entity, IsIndexed(shard));
        (WriteBatch rows, bool truncated) = await Task.Run(() => reader.Read(shard, minTimestamp, maxTimestamp, maxRows));
        return new ShardRows(rows, truncated);
    }

    /// <inheritdoc/>
    public async Task<ShardRows> Query(ShardQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(query.Subject);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.MaxRows);
        DataKind? kind = state.State.Kind;
        if (_dropped || kind is null || query.MinTimestamp > query.MaxTimestamp || await OpenIfCreatedAsync() is not { } shard)
        {
            return new ShardRows(new WriteBatch(kind ?? DataKind.Stream), false);
        }

        (string Family, string Tag)[] entity = EntityOf(query.Subject);
        QuerySubject subject = QuerySubject.Resolve(schemas.Catalog, kind == DataKind.Stream ? SchemaKind.Stream : SchemaKind.Measure, _key.Group, query.Subject, DateTimeOffset.UtcNow);
        // BanyanDB's two steps: entity conditions select series (patterns), the rest of the criteria filter the rows.
        EntityPatterns patterns = EntityPatterns.Of(query.Criteria, subject);
        Banyan.Storage.Query.Criteria? criteria = CriteriaTranslator.Translate(query.Criteria, subject, entityConditionsHold: true);
        if (patterns.IsEmpty)
        {
            return new ShardRows(new WriteBatch(kind.Value), false);
        }

        // A query that names its series outright reads only their blocks. Otherwise, in a shard with a series index, the
        // index gives the subject's series whose entity values match the patterns; in an older shard every series of
        // the range is scanned. Either way the patterns are also decided per series on the rows (entity values are
        // the same on every row of a series): series of writes not yet in the index are included undecided.
        bool indexed = IsIndexed(shard);
        if (indexed && !shard.Indexer!.IsConfigured(query.Subject))
        {
            return new ShardRows(new WriteBatch(kind.Value), false);
        }

        ulong[]? seriesIds = patterns.ExactSeriesIds(query.Subject);
        bool seriesDecided = seriesIds is not null;

        // Rows need a check only for criteria beyond the entity, or for entity patterns the series ids do not decide.
        Func<Banyan.Storage.Parts.Block, int, bool>? filter = null;
        if (criteria is not null || (!patterns.IsAny && !seriesDecided))
        {
            BlockTagRow row = new(subject);
            Banyan.Storage.Values.TagValue?[] entityValues = new Banyan.Storage.Values.TagValue?[subject.Entity.Count];
            Dictionary<ulong, bool> seriesMatches = [];
            filter = (block, index) =>
            {
                row.Reset(block, index);
                if (!patterns.IsAny && !seriesDecided)
                {
                    if (!seriesMatches.TryGetValue(block.SeriesId, out bool matches))
                    {
                        for (int i = 0; i < entityValues.Length; i++)
                        {
                            entityValues[i] = row.GetTag(subject.Entity[i]);
                        }

                        seriesMatches[block.SeriesId] = matches = patterns.Matches(entityValues);
                    }

                    if (!matches)
                    {
                        return false;
                    }
                }

                return criteria is null || CriteriaEvaluator.Matches(criteria, row, subject.IndexSchema);
            };
        }

        List<(string? Family, string Name)> columns = [.. query.Columns.Select(c => (c.Family, c.Name))];
        if (query.Grouping is { } grouping)
        {
            // The grouping needs its tags and field whatever the projection asks for.
            foreach (ShardColumn column in grouping.GroupBy)
            {
                if (!columns.Contains((column.Family, column.Name)))
                {
                    columns.Add((column.Family, column.Name));
                }
            }

            if (grouping.Field is { } field && !columns.Contains((null, field)))
            {
                columns.Add((null, field));
            }
        }

        // Decode only what the answer, the entity check and the criteria read: the entity tags only where the filter or the
        // subject check of an older shard reads them (SubjectRowReader), not for series the index or the ids decided.
        List<(string Family, string? Tag)> tags = filter is not null || !indexed ? [.. entity.Select(e => (e.Family, (string?)e.Tag))] : [];
        foreach ((string? family, string name) in columns)
        {
            if (family is not null)
            {
                tags.Add((family, name));
            }
        }

        // The criteria's tags only where the filter reads them: conditions on entity tags alone are decided by the series
        // (the index or the ids), and a scan would otherwise decode tags no one reads (restored from the series key in
        // format 4 parts).
        foreach (string tag in filter is null ? [] : CriteriaTranslator.TagsOf(query.Criteria))
        {
            if (subject.TryGetTag(tag, out string family, out _))
            {
                tags.Add((family, tag));
            }
        }

        // An aggregation grouped by entity tags over series the index named, with no other criteria, is answered from
        // block statistics where whole blocks lie in the range (StatisticsGrouper), rows read only where it cannot.
        // A float sum must be added row by row in the query's order, so SUM and MEAN of a float field read rows.
        List<(string Family, string Tag)>? tagColumns = null;
        if (seriesIds is null && indexed && criteria is null && query.Grouping is { Field: { } aggregated } statisticsGrouping
            && !(statisticsGrouping.NeedsSum && subject.TryGetField(aggregated, out Banyan.Api.Database.V1.FieldType fieldType) && fieldType == Banyan.Api.Database.V1.FieldType.Float)
            && statisticsGrouping.GroupBy.All(c => subject.IsEntityTag(c.Name))
            && columns.All(c => c.Family is null ? c.Name == aggregated : entity.Contains((c.Family, c.Name))))
        {
            tagColumns = [.. columns.Where(c => c.Family is not null).Select(c => (c.Family!, c.Name)).Distinct()];
        }

        if (seriesIds is null && indexed)
        {
            // The index lookup and the statistics answer together, off the grain turn in one trip (each hop to the thread
            // pool and back is a wait of its own in a query of a few hundred microseconds) or, in a shard of few series,
            // on the turn: both cost about a microsecond per series they select, so the turn stays short.
            (SeriesSelection, (WriteBatch Rows, System.Collections.Immutable.ImmutableArray<PartialAggregate> Partials)?) LookUp()
            {
                SeriesSelection selection = SeriesOfPatterns(shard, query.Subject, patterns, query.MinTimestamp, query.MaxTimestamp);
                return (selection, tagColumns is not null && selection.Unindexed.Count == 0
                    ? StatisticsGrouper.Group(shard, query.Subject, selection.Indexed, entity, tagColumns, query.Grouping!, query.MinTimestamp, query.MaxTimestamp)
                    : null);
            }

            (SeriesSelection selection, (WriteBatch Rows, System.Collections.Immutable.ImmutableArray<PartialAggregate> Partials)? grouped) =
                shard.Indexer!.Series.Count <= InlineLookupSeries ? LookUp() : await Task.Run(LookUp);
            if (grouped is { } answer)
            {
                return new ShardRows(answer.Rows, false, answer.Partials);
            }

            seriesIds = selection.Ids();
        }

        Banyan.Storage.Query.ColumnProjection projection = Banyan.Storage.Query.ColumnProjection.Of(columns.Where(c => c.Family is null).Select(c => c.Name), tags);
        SubjectRowReader reader = new(query.Subject, entity, indexed);
        // A read of a few named measure series (a point per timestamp: a handful of blocks) runs on the grain's turn: a
        // trip to the thread pool and back would cost more than the read (Q1 of the peer benchmark: 10 % less latency and
        // CPU, docs/benchmarks.md). Wider reads, and a stream's series (any number of elements), leave the turn free for
        // the shard's writes.
        (WriteBatch rows, bool truncated) = kind == DataKind.Measure && seriesDecided && seriesIds!.Length <= InlineReadSeries
            ? reader.Read(shard, query.MinTimestamp, query.MaxTimestamp, query.MaxRows, filter, columns, seriesIds, projection)
            : await Task.Run(() => reader.Read(shard, query.MinTimestamp, query.MaxTimestamp, query.MaxRows, filter, columns, seriesIds, projection));
        if (truncated)
        {
            throw new QueryLimitException($"Shard '{_key}': more than {query.MaxRows} rows of '{query.Subject}' match the query (Silo:Query:MaxRowsPerShard); narrow the time range or add criteria.");
        }

        if (query.Grouping is { } groups)
        {
            bool perSeries = groups.GroupBy.All(c => subject.IsEntityTag(c.Name));
            (WriteBatch groupRows, System.Collections.Immutable.ImmutableArray<PartialAggregate> partials) = ShardGrouper.Group(rows, groups, perSeries);
            return new ShardRows(groupRows, false, partials);
        }

        return new ShardRows(rows, false);
    }

    /// <inheritdoc/>
    public async Task Drop()
    {
        _dropped = true;
        Telemetry.GrainMetrics.RemoveShard(this);
        Task<Shard>? opening = _opening;
        _opening = null;
        string folder = _options.ShardFolder(_key);
        Shard? shard = opening is { IsCompletedSuccessfully: true } ? await opening : null;
        if (shard is not null)
        {
            await shard.DisposeAsync();
        }

        await Task.Run(() =>
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            // The segment folder goes with its last shard.
            string? segment = Path.GetDirectoryName(folder);
            if (segment is not null && Directory.Exists(segment) && !Directory.EnumerateFileSystemEntries(segment).Any())
            {
                Directory.Delete(segment);
            }
        });
        await state.ClearStateAsync();
        LogDropped(logger, _key);
        this.DeactivateOnIdle();
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

            return new ShardStats(node, view.Parts.Count - view.DiskPartCount, view.DiskPartCount, rows, shard.MemoryBytes);
        });
    }

    private void ThrowIfDropped()
    {
        if (_dropped)
        {
            throw new InvalidOperationException($"Shard '{_key}' has been dropped (its segment expired or its group was deleted).");
        }
    }

    // The subject's entity tags with their families, kept per subject for the catalog they were read from: every query
    // needs them, and a catalog is immutable (a schema change makes a new one, which reads them again). Used on the
    // grain's turns only.
    private (string Family, string Tag)[] EntityOf(string subject)
    {
        SchemaCatalog catalog = schemas.Catalog;
        if (_entities.TryGetValue(subject, out (SchemaCatalog Catalog, (string Family, string Tag)[] Entity) known) && ReferenceEquals(known.Catalog, catalog))
        {
            return known.Entity;
        }

        (string Family, string Tag)[] entity = EntityOf(catalog, subject);
        _entities[subject] = (catalog, entity);
        return entity;
    }

    // The entity tags (family, name) of the group's stream or measure named subject in the catalog.
    private (string Family, string Tag)[] EntityOf(SchemaCatalog catalog, string subject)
    {
        Google.Protobuf.Collections.RepeatedField<TagFamilySpec>? families = null;
        Google.Protobuf.Collections.RepeatedField<string>? entity = null;
        if (catalog.TryGetMeasure(_key.Group, subject, out Measure? measure))
        {
            (families, entity) = (measure.TagFamilies, measure.Entity?.TagNames);
        }
        else if (catalog.TryGetStream(_key.Group, subject, out Banyan.Api.Database.V1.Stream? stream))
        {
            (families, entity) = (stream.TagFamilies, stream.Entity?.TagNames);
        }

        if (families is null || entity is null)
        {
            throw new SchemaNotFoundException($"Group '{_key.Group}' has no stream or measure named '{subject}'.");
        }

        return [.. entity.Select(tag => (families.First(f => f.Tags.Any(t => t.Name == tag)).Name, tag))];
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

    // True when the shard keeps a series index of its subjects (see ShardGrainState.SubjectsIndexed).
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
            string[] entity = [.. EntityOf(subject).Select(e => e.Tag)];
            await shard.ConfigureSubjectAsync(new ShardIndexConfig(DataKind.Measure, subject, entity, []));
        }

        _configuredSubjects.Add(subject);
    }

    // The subject's series in the series index matching the patterns (each pattern's leading fixed values narrow the
    // index read to a key range), plus those of writes not indexed yet. Patterns that are only leading values (service_id
    // = X of an entity that starts with it) are answered by the key ranges alone; others check each series found.
    private static SeriesSelection SeriesOfPatterns(Shard shard, string subject, EntityPatterns patterns, long minTimestamp, long maxTimestamp)
    {
        Func<IReadOnlyList<Banyan.Storage.Values.TagValue>, bool>? matches = patterns.AreLeadingRuns ? null : values => patterns.Matches([.. values]);
        IReadOnlyList<Banyan.Storage.Values.TagValue?[]> list = patterns.Patterns!;
        if (list.Count == 1)
        {
            return shard.FindSeries(subject, EntityPatterns.LeadingValues(list[0]), matches, minTimestamp, maxTimestamp);
        }

        SortedDictionary<ulong, SeriesMatch> indexed = [];
        SortedSet<ulong> unindexed = [];
        foreach (Banyan.Storage.Values.TagValue?[] pattern in list)
        {
            SeriesSelection one = shard.FindSeries(subject, EntityPatterns.LeadingValues(pattern), matches, minTimestamp, maxTimestamp);
            foreach (SeriesMatch match in one.Indexed)
            {
                indexed[match.SeriesId] = match;
            }

            unindexed.UnionWith(one.Unindexed);
        }

        unindexed.ExceptWith(indexed.Keys);
        return new SeriesSelection([.. indexed.Values], [.. unindexed]);
    }

    // The shard, opened if the first write has created it; null before that (nothing on disk).
    private async Task<Shard?> OpenIfCreatedAsync()
        => state.State.Kind is { } kind ? await OpenAsync(kind) : null;

    // A failed open (a damaged file, a full disk) is retried by the next call rather than cached.
    private Task<Shard> OpenAsync(DataKind kind)
    {
        if (_opening is { IsFaulted: true } or { IsCanceled: true })
        {
            _opening = null;
        }

        return _opening ??= OpenAndStartTimersAsync(kind);
    }

    private async Task<Shard> OpenAndStartTimersAsync(DataKind kind)
    {
        string folder = _options.ShardFolder(_key);

        // Opening replays the WAL: file I/O that must not run on the grain's turn.
        Shard shard = await Task.Run(() => Shard.Open(folder, _options.Shard.ShardOptionsFor(kind, blockCache.Cache)));
        Telemetry.GrainMetrics.AddShard(this, _key.Group, shard);
        TimeSpan flushPeriod = kind == DataKind.Stream ? _options.Shard.StreamFlushPeriod : _options.Shard.MeasureFlushPeriod;
        this.RegisterGrainTimer(FlushTickAsync, shard, new GrainTimerCreationOptions(flushPeriod, flushPeriod) { Interleave = true, KeepAlive = false });
        this.RegisterGrainTimer(MergeTickAsync, shard, new GrainTimerCreationOptions(_options.Shard.MergePeriod, _options.Shard.MergePeriod) { Interleave = true, KeepAlive = false });
        StartTopNTimer(shard, kind);
        return shard;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: timer merge failed; retried at the next tick")]
    private static partial void LogTimerMergeFailed(ILogger logger, string shard, Exception exception);
}
