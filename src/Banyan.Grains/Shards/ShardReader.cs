using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Queries;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;

namespace Banyan.Grains.Shards;

/// <summary>
/// Answers shard queries (<see cref="IShardGrain.Query"/>) from one open engine shard: entity conditions select series
/// (through the series index where the shard keeps one), the rest of the criteria filter rows, and aggregations are
/// grouped per shard, from block statistics where whole blocks allow it. Holds no state of its own beyond the shard, so
/// the shard grain and the silo's local reads (<see cref="LocalShard"/>) call it from any thread at once; the engine's
/// reads are safe beside its writes, flushes and merges.
/// </summary>
/// <param name="key">The shard's grain key, named in errors.</param>
/// <param name="shard">The open engine shard; its owner closes it only after every read has left (<see cref="LocalShard.CloseAsync"/>).</param>
/// <param name="isIndexed">
/// Whether the shard keeps a series index of its subjects (<see cref="ShardGrainState.SubjectsIndexed"/>), asked at each
/// query: a shard created by its first write is opened before that write configures its first subject, which is when its
/// index comes to be, so a value taken at opening would leave the index unused until the grain is next activated.
/// </param>
/// <param name="entities">The group's entity tags per subject.</param>
internal sealed class ShardReader(ShardGrainKey key, Shard shard, Func<bool> isIndexed, SubjectEntities entities)
{
    // Reads of at most this many series that the query names outright run on the caller's turn (see QueryAsync).
    private const int InlineReadSeries = 4;

    // Index lookups (and the statistics answers with them) of a shard holding at most this many series run on the caller's
    // turn (see QueryAsync): a few milliseconds at most.
    private const int InlineLookupSeries = 8192;

    // A read made beside reads of other shards of the same query (concurrent) leaves the caller's turn once it covers more
    // than this many series, so the shards' answers are computed in parallel as their grains would: a few milliseconds of
    // work each (Q3 of the peer benchmark, every series of a shard), where the hop is worth it. Below it, the hop would
    // cost more than the parallelism gains (Q2's 24 requests, a few hundred series each: docs/benchmarks.md).
    private const int ConcurrentInlineSeries = 1024;

    /// <summary>Whether a read now goes through the shard's series index (and, for aggregations, its block statistics).</summary>
    public bool UsesSeriesIndex => isIndexed();

    /// <summary>Checks what a shard query must carry, as the shard grain's <c>Query</c> does before anything else.</summary>
    /// <exception cref="ArgumentException">The query is null, names no subject or allows no rows.</exception>
    public static void Validate(ShardQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(query.Subject);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.MaxRows);
    }

    /// <summary>
    /// The rows of one subject that <paramref name="query"/> selects, as <see cref="IShardGrain.Query"/> answers them.
    /// <paramref name="concurrent"/> tells that the caller reads other shards for the same query at the same time: work
    /// over many series then leaves the caller's turn.
    /// </summary>
    /// <exception cref="QueryLimitException">More rows match than <see cref="ShardQuery.MaxRows"/>.</exception>
    /// <exception cref="SchemaNotFoundException">The group has no stream or measure named by the query.</exception>
    public async Task<ShardRows> QueryAsync(ShardQuery query, bool concurrent = false)
    {
        Validate(query);
        DataKind kind = shard.Kind;
        bool indexed = UsesSeriesIndex;
        if (query.MinTimestamp > query.MaxTimestamp)
        {
            return new ShardRows(new WriteBatch(kind), false);
        }

        (string Family, string Tag)[] entity = entities.Of(query.Subject);
        QuerySubject subject = QuerySubject.Resolve(entities.Catalog, kind == DataKind.Stream ? SchemaKind.Stream : SchemaKind.Measure, key.Group, query.Subject, DateTimeOffset.UtcNow);
        // BanyanDB's two steps: entity conditions select series (patterns), the rest of the criteria filter the rows.
        EntityPatterns patterns = EntityPatterns.Of(query.Criteria, subject);
        Banyan.Storage.Query.Criteria? criteria = CriteriaTranslator.Translate(query.Criteria, subject, entityConditionsHold: true);
        if (patterns.IsEmpty)
        {
            return new ShardRows(new WriteBatch(kind), false);
        }

        // A query that names its series outright reads only their blocks. Otherwise, in a shard with a series index, the
        // index gives the subject's series whose entity values match the patterns; in an older shard every series of
        // the range is scanned. Either way the patterns are also decided per series on the rows (entity values are
        // the same on every row of a series): series of writes not yet in the index are included undecided.
        if (indexed && !shard.Indexer!.IsConfigured(query.Subject))
        {
            return new ShardRows(new WriteBatch(kind), false);
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
            // The index lookup and the statistics answer together, off the caller's turn in one trip (each hop to the thread
            // pool and back is a wait of its own in a query of a few hundred microseconds) or, in a shard of few series,
            // on the turn: both cost about a microsecond per series they select, so the turn stays short.
            SeriesSelection Select() => SeriesOfPatterns(shard, query.Subject, patterns, query.MinTimestamp, query.MaxTimestamp);
            (WriteBatch Rows, System.Collections.Immutable.ImmutableArray<PartialAggregate> Partials)? Answer(SeriesSelection selection) =>
                tagColumns is not null && selection.Unindexed.Count == 0
                    ? StatisticsGrouper.Group(shard, query.Subject, selection.Indexed, entity, tagColumns, query.Grouping!, query.MinTimestamp, query.MaxTimestamp)
                    : null;

            int shardSeries = shard.Indexer!.Series.Count;
            SeriesSelection selection;
            (WriteBatch Rows, System.Collections.Immutable.ImmutableArray<PartialAggregate> Partials)? grouped;
            if (shardSeries <= (concurrent && patterns.IsAny ? ConcurrentInlineSeries : InlineLookupSeries))
            {
                selection = Select();
                grouped = concurrent && selection.Indexed.Count > ConcurrentInlineSeries ? await Task.Run(() => Answer(selection)) : Answer(selection);
            }
            else
            {
                (selection, grouped) = await Task.Run(() =>
                {
                    SeriesSelection selected = Select();
                    return (selected, Answer(selected));
                });
            }

            if (grouped is { } answer)
            {
                return new ShardRows(answer.Rows, false, answer.Partials);
            }

            seriesIds = selection.Ids();
        }

        Banyan.Storage.Query.ColumnProjection projection = Banyan.Storage.Query.ColumnProjection.Of(columns.Where(c => c.Family is null).Select(c => c.Name), tags);
        SubjectRowReader reader = new(query.Subject, entity, indexed);
        // A read of a few named measure series (a point per timestamp: a handful of blocks) runs on the caller's turn: a
        // trip to the thread pool and back would cost more than the read (Q1 of the peer benchmark: 10 % less latency and
        // CPU, docs/benchmarks.md). Wider reads, and a stream's series (any number of elements), leave the turn free (the
        // shard grain's for its writes, a query's for its other shards).
        (WriteBatch rows, bool truncated) = kind == DataKind.Measure && seriesDecided && seriesIds!.Length <= InlineReadSeries
            ? reader.Read(shard, query.MinTimestamp, query.MaxTimestamp, query.MaxRows, filter, columns, seriesIds, projection)
            : await Task.Run(() => reader.Read(shard, query.MinTimestamp, query.MaxTimestamp, query.MaxRows, filter, columns, seriesIds, projection));
        if (truncated)
        {
            throw new QueryLimitException($"Shard '{key}': more than {query.MaxRows} rows of '{query.Subject}' match the query (Silo:Query:MaxRowsPerShard); narrow the time range or add criteria.");
        }

        if (query.Grouping is { } groups)
        {
            bool perSeries = groups.GroupBy.All(c => subject.IsEntityTag(c.Name));
            (WriteBatch groupRows, System.Collections.Immutable.ImmutableArray<PartialAggregate> partials) = ShardGrouper.Group(rows, groups, perSeries);
            return new ShardRows(groupRows, false, partials);
        }

        return new ShardRows(rows, false);
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

}
