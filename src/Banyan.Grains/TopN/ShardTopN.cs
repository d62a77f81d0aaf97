using Banyan.GrainInterfaces.Queries;
using Banyan.Grains.Queries;
using Banyan.Grains.Schema;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Microsoft.Extensions.Logging;
using Measure = Banyan.Api.Database.V1.Measure;
using MeasureV1 = Banyan.Api.Measure.V1;
using Shard = Banyan.Storage.Shards.Shard;
using TopNAggregation = Banyan.Api.Database.V1.TopNAggregation;

namespace Banyan.Grains.TopN;

/// <summary>
/// The TopN aggregations of one shard grain: one <see cref="TopNProcessor"/> per (aggregation, direction) whose source
/// measure writes to the shard, fed with every acknowledged batch, flushed to the shard's <c>_top_n_result</c> rows
/// (<see cref="TopNResultStore"/>) on the shard grain's TopN timer and when it deactivates, and read by TopN queries
/// (persisted lists overlaid with the lists still in memory, so a query sees every acknowledged point).
/// </summary>
/// <remarks>
/// <para>Single-threaded: only the shard grain's turns call it (the grain is reentrant, so calls interleave at awaits).</para>
/// <para>After the grain (re)activates, a window's first point starts reading what earlier activations persisted of
/// that window; its points queue meanwhile and the write is not held up. Only windows that can have stored lists are
/// read (<see cref="TopNSeedNeed"/>): a steady ingest opens windows after everything stored, and reads nothing for
/// them (each such read would also seal the shard's buffered rows early, leaving many tiny blocks). A crash loses the
/// TopN contributions of the points acknowledged after the window's last flush (at most
/// <see cref="TopNOptions.FlushPeriod"/>), as BanyanDB loses those after its last flush; the points themselves stay in
/// the measure.</para>
/// <para>A schema change (a new revision of the aggregation or of its measure, or its deletion) retires the
/// processor: it flushes what it holds and goes; a new processor starts with the new schema, as in BanyanDB.</para>
/// </remarks>
internal sealed partial class ShardTopN(string group, ILogger logger, TimeProvider? clock = null, TopNListCache? storedLists = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, TopNProcessor[]> _bySubject = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TopNProcessor> _processors = new(StringComparer.Ordinal);
    private readonly List<TopNProcessor> _retired = [];
    private readonly HashSet<Task> _seeding = [];
    private readonly TopNSeedNeed _seedNeed = new();
    private readonly Dictionary<TopNDefinition, TopNSeriesTags?> _seriesTags = new(ReferenceEqualityComparer.Instance);

    // The points of the batch being observed, one list for every batch (Observe runs on the grain's turn, start to end).
    private readonly List<TopNPoint> _points = [];
    private SchemaCatalog? _catalog;
    private Task? _flushing;
    private Task? _learning;
    private long _lastVersion;

    /// <summary>How many opened windows read their persisted lists in this activation (a steady ingest reads none).</summary>
    public int WindowsRead { get; private set; }

    /// <summary>True when some processor holds windows or may receive points.</summary>
    public bool IsActive => _processors.Count > 0 || _retired.Count > 0;

    /// <summary>
    /// Feeds the acknowledged rows of <paramref name="subject"/> to its aggregations in <paramref name="catalog"/>. Never
    /// throws: TopN must not fail a write that is already durable (a failure is logged).
    /// </summary>
    public void Observe(Shard shard, SchemaCatalog catalog, string subject, WriteBatch batch)
    {
        try
        {
            TopNProcessor[] processors = ProcessorsOf(catalog, subject);
            if (processors.Length == 0)
            {
                return; // the common case: the measure has no aggregation, and the write path pays nothing more
            }

            TopNDefinition? read = null;
            List<TopNPoint> points = _points;
            foreach (TopNProcessor processor in processors)
            {
                if (!ReferenceEquals(read, processor.Definition))
                {
                    // The two directions of one aggregation share the points.
                    read = processor.Definition;
                    if (!_seriesTags.TryGetValue(read, out TopNSeriesTags? seriesTags))
                    {
                        _seriesTags[read] = seriesTags = TopNSeriesTags.For(read);
                    }

                    TopNPointReader.Read(read, batch, seriesTags, points);
                }

                foreach (TopNPoint point in points)
                {
                    if (processor.Put(point, seedNewWindows: true) is { } opened)
                    {
                        StartSeeding(shard, processor, opened);
                    }
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogObserveFailed(logger, group, subject, e);
        }
    }

    /// <summary>
    /// Writes every list changed since the last flush as <c>_top_n_result</c> rows. A flush while one runs joins it. A
    /// failed write leaves the lists marked changed for the next flush; the error is logged, not thrown.
    /// </summary>
    public Task FlushAsync(Shard shard)
    {
        if (_flushing is { IsCompleted: false } running)
        {
            return running;
        }

        return _flushing = FlushCoreAsync(shard);
    }

    /// <summary>Before the shard closes: waits for windows being seeded, then flushes everything held.</summary>
    public async Task CloseAsync(Shard shard)
    {
        await WaitForSeedingAsync();
        if (_flushing is { IsCompleted: false } running)
        {
            await running;
        }

        await FlushAsync(shard);
    }

    /// <summary>The shard's answer to <paramref name="query"/> (see <see cref="GrainInterfaces.Shards.IShardGrain.QueryTopN"/>).</summary>
    public async Task<MeasureV1.TopNList> QueryAsync(Shard? shard, TopNShardQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        await WaitForSeedingAsync();
        List<TopNStoredList> stored = shard is null
            ? []
            : await Task.Run(() => TopNResultStore.Read(shard, query.MinTimestamp, query.MaxTimestamp, (g, n, d, k) =>
                string.Equals(g, query.Group, StringComparison.Ordinal) && string.Equals(n, query.Name, StringComparison.Ordinal)
                && d == query.Descending && (query.GroupKey is null || string.Equals(k, query.GroupKey, StringComparison.Ordinal)), storedLists));

        // The latest persisted list of each (window, group-by value), then the lists still in memory over them (a list in
        // memory is never older than its persisted version: a reopened window starts from it). Retired processors first:
        // the current one's windows are newer.
        Dictionary<(long, string), TopNShardMerge.Source> lists = [];
        foreach (TopNStoredList list in stored)
        {
            (long, string) key = (list.WindowStart, list.GroupKey);
            if (!lists.TryGetValue(key, out TopNShardMerge.Source known) || list.Version > known.Version)
            {
                lists[key] = new TopNShardMerge.Source(list, null, list.Version);
            }
        }

        foreach (TopNProcessor processor in _retired.Concat(_processors.Values))
        {
            if (string.Equals(processor.Definition.Group, query.Group, StringComparison.Ordinal) && string.Equals(processor.Definition.Name, query.Name, StringComparison.Ordinal) && processor.Descending == query.Descending)
            {
                foreach (TopNSnapshot list in processor.Snapshots(query.MinTimestamp, query.MaxTimestamp, query.GroupKey))
                {
                    lists[(list.WindowStart, list.GroupKey)] = new TopNShardMerge.Source(null, list, 0);
                }
            }
        }

        // Snapshots are immutable: the merge (every item of every window in the range) runs off the grain's turn.
        TopNShardMerge.Source[] sources = [.. lists.Values];
        TopNEntityTable? entities = storedLists?.Entities;
        return await Task.Run(() => TopNShardMerge.Merge(sources, query, entities));
    }

    // The processors of a subject, from the catalog the last write saw; rebuilt when the catalog changed.
    private TopNProcessor[] ProcessorsOf(SchemaCatalog catalog, string subject)
    {
        if (!ReferenceEquals(catalog, _catalog))
        {
            Refresh(catalog);
        }

        if (_bySubject.TryGetValue(subject, out TopNProcessor[]? known))
        {
            return known;
        }

        List<TopNProcessor> processors = [];
        foreach (TopNAggregation aggregation in catalog.TopNAggregationsOf(group, subject))
        {
            if (!TopNDefinition.TryCreate(aggregation, catalog, _clock.GetUtcNow(), out TopNDefinition? definition, out string reason))
            {
                LogNotStarted(logger, group, reason);
                continue;
            }

            foreach (bool descending in definition!.Directions)
            {
                string key = definition.Identity + (descending ? "/desc" : "/asc");
                if (!_processors.TryGetValue(key, out TopNProcessor? processor))
                {
                    processor = new TopNProcessor(definition, descending);
                    _processors[key] = processor;
                }

                processors.Add(processor);
            }
        }

        TopNProcessor[] result = [.. processors];
        _bySubject[subject] = result;
        return result;
    }

    // A new catalog: processors whose aggregation or measure changed revision, or was deleted, retire.
    private void Refresh(SchemaCatalog catalog)
    {
        _catalog = catalog;
        _bySubject.Clear();
        _seriesTags.Clear(); // definitions of older revisions go with their processors
        foreach ((string key, TopNProcessor processor) in _processors.ToArray())
        {
            TopNDefinition definition = processor.Definition;
            bool current = catalog.TryGetTopNAggregation(definition.Group, definition.Name, out TopNAggregation? aggregation)
                && aggregation.Metadata.ModRevision == definition.Aggregation.Metadata.ModRevision
                && catalog.TryGetMeasure(definition.Measure.Metadata.Group, definition.Measure.Metadata.Name, out Measure? measure)
                && measure.Metadata.ModRevision == definition.Measure.Metadata.ModRevision;
            if (!current)
            {
                _processors.Remove(key);
                processor.Retire();
                if (processor.Windows.Count > 0)
                {
                    _retired.Add(processor);
                }
            }
        }
    }

    private void StartSeeding(Shard shard, TopNProcessor processor, TopNWindow window)
    {
        TopNDefinition definition = processor.Definition;
        bool? mustRead = _seedNeed.MustRead(definition.Group, definition.Name, processor.Descending, window.Start);
        if (mustRead == false)
        {
            window.Seed([]); // nothing can be stored for it: the window starts empty at once, with its first point
            return;
        }

        // A processor retired by a schema change may still be seeding this window: its lists are complete only after.
        Task[] retiredSeeding = RetiredOf(processor).Any(r => r.Windows.Any(w => w.Start == window.Start)) ? [.. _seeding] : [];
        Task seeding = SeedAsync(shard, processor, window, mustRead is null ? LearnLatestStoredWindow(shard) : null, retiredSeeding);
        if (!seeding.IsCompleted)
        {
            _seeding.Add(seeding);
        }
    }

    // Once per activation: where the stored lists end, read off the turn. Unreadable: every window is read, as before.
    private Task LearnLatestStoredWindow(Shard shard) => _learning ??= LearnCoreAsync(shard);

    private async Task LearnCoreAsync(Shard shard)
    {
        long latest = long.MaxValue;
        try
        {
            latest = await Task.Run(() => TopNResultStore.LatestWindowStart(shard));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogLatestWindowFailed(logger, group, e);
        }

        _seedNeed.StoredUpTo(latest);
    }

    private async Task SeedAsync(Shard shard, TopNProcessor processor, TopNWindow window, Task? learning, Task[] retiredSeeding)
    {
        TopNDefinition definition = processor.Definition;
        List<TopNSnapshot> seeds = [];
        try
        {
            await Task.WhenAll(retiredSeeding);
            if (learning is not null)
            {
                await learning;
                if (!_seedNeed.IsStored(window.Start))
                {
                    return; // opened before the activation knew where its stored lists end, and after them
                }
            }

            WindowsRead++;
            List<TopNStoredList> stored = await Task.Run(() => TopNResultStore.Read(shard, window.Start, window.Start, (g, n, d, _) =>
                string.Equals(g, definition.Group, StringComparison.Ordinal) && string.Equals(n, definition.Name, StringComparison.Ordinal) && d == processor.Descending));

            // Versions of this activation continue above every persisted one; of each list (group-by value) only the latest
            // version is decoded, its items' series ids derived from the source measure (the counters key items by them).
            Dictionary<string, TopNStoredList> latest = new(StringComparer.Ordinal);
            foreach (TopNStoredList list in stored)
            {
                _lastVersion = Math.Max(_lastVersion, list.Version);
                if (!latest.TryGetValue(list.GroupKey, out TopNStoredList? known) || list.Version > known.Version)
                {
                    latest[list.GroupKey] = list;
                }
            }

            TopNStoredList[] lists = [.. latest.Values];
            seeds = await Task.Run(() => lists.Select(l => l.Decode(definition.SourceSubject)).ToList());

            // A retired processor's lists of the window are at least as new as the stored ones (it flushes them at the
            // next tick): taken as they are now, so what it counted since its last flush is not lost to the new list.
            Dictionary<string, TopNSnapshot> byKey = seeds.ToDictionary(l => l.GroupKey, StringComparer.Ordinal);
            foreach (TopNProcessor retired in RetiredOf(processor))
            {
                foreach (TopNSnapshot list in retired.Snapshots(window.Start, window.Start, null))
                {
                    byKey[list.GroupKey] = list;
                }
            }

            seeds = [.. byKey.Values];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A damaged or unreadable list: the window starts empty and its next flush replaces what is on disk.
            LogSeedFailed(logger, group, definition.Group, definition.Name, window.Start, e);
        }
        finally
        {
            window.Seed(seeds);
        }
    }

    // The retired processors of the same aggregation and direction as `processor` (older revisions).
    private IEnumerable<TopNProcessor> RetiredOf(TopNProcessor processor) => _retired.Where(r =>
        string.Equals(r.Definition.Group, processor.Definition.Group, StringComparison.Ordinal)
        && string.Equals(r.Definition.Name, processor.Definition.Name, StringComparison.Ordinal)
        && r.Descending == processor.Descending);

    private async Task WaitForSeedingAsync()
    {
        while (_seeding.Count > 0)
        {
            Task[] pending = [.. _seeding];
            await Task.WhenAll(pending);
            _seeding.ExceptWith(pending);
        }
    }

    private async Task FlushCoreAsync(Shard shard)
    {
        List<(TopNProcessor Processor, List<TopNEncodedList> Lists)> taken = [];
        foreach (TopNProcessor processor in _retired.Concat(_processors.Values))
        {
            List<TopNEncodedList> dirty = processor.TakeDirty(EntityOrderOf(processor.Definition));
            if (dirty.Count > 0)
            {
                taken.Add((processor, dirty));
            }
        }

        if (taken.Count > 0)
        {
            WriteBatch rows = TopNResultStore.Rows(taken.SelectMany(t => t.Lists.Select(l => (t.Processor.Definition, t.Processor.Descending, l))), NextVersion);
            try
            {
                await TopNResultStore.ConfigureAsync(shard);
                await shard.WriteAsync(rows, BatchOwnership.HandedOver);
                foreach ((TopNProcessor processor, _) in taken)
                {
                    processor.FlushSucceeded();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                foreach ((TopNProcessor processor, List<TopNEncodedList> lists) in taken)
                {
                    processor.FlushFailed(lists);
                }

                LogFlushFailed(logger, group, rows.Count, e);
            }
        }

        _retired.RemoveAll(p => p.Windows.Count == 0);
    }

    // The ranks of the entities the write path remembers for an aggregation (none for one whose points are read in full).
    private TopNEntityOrder? EntityOrderOf(TopNDefinition definition) => _seriesTags.TryGetValue(definition, out TopNSeriesTags? tags) ? tags?.Order : null;

    // Strictly increasing, and above every version persisted before (a newer flush of a list must win).
    private long NextVersion()
    {
        long now = (_clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        _lastVersion = Math.Max(_lastVersion + 1, now);
        return _lastVersion;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "TopN of group {Group}: feeding a batch of {Subject} failed; the rows are stored, their TopN contribution is lost")]
    private static partial void LogObserveFailed(ILogger logger, string group, string subject, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TopN of group {Group}: an aggregation does not run: {Reason}")]
    private static partial void LogNotStarted(ILogger logger, string group, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TopN of group {Group}: reading the persisted lists of {AggregationGroup}/{AggregationName} window {Window} failed; the window restarts empty")]
    private static partial void LogSeedFailed(ILogger logger, string group, string aggregationGroup, string aggregationName, long window, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TopN of group {Group}: finding where the persisted lists end failed; every window this activation opens reads its persisted lists")]
    private static partial void LogLatestWindowFailed(ILogger logger, string group, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TopN of group {Group}: writing {Count} result lists failed; retried at the next flush")]
    private static partial void LogFlushFailed(ILogger logger, string group, int count, Exception exception);
}
