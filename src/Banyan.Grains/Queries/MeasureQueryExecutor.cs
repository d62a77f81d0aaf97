using System.Collections.Immutable;
using System.Globalization;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Schema;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Queries;

/// <summary>
/// Runs BanyanDB's measure query (<c>MeasureService/Query</c>) over the shards, in BanyanDB's plan order
/// (<c>pkg/query/logical/measure/measure_analyzer.go</c>): filtered reads from every shard (each shard keeps the highest
/// version of a data point), ordered by time or by the tag of the index rule in <c>order_by</c>; then <c>group_by</c>
/// (groups in order of first appearance) with <c>agg</c> over each group (the tags of the group's first point, one field:
/// the aggregate); then <c>top</c> (the N points with the highest, or with <c>SORT_ASC</c> lowest, value of its field,
/// whether the projection names that field or not; after <c>agg</c>, the aggregate, so the two must name one field);
/// then <c>offset</c> and <c>limit</c> (default 100, as BanyanDB's).
/// </summary>
internal sealed class MeasureQueryExecutor(QueryFanOut fanOut, QueryOptions options)
{
    /// <summary>BanyanDB's default page size for measures.</summary>
    public const int DefaultLimit = 100;

    /// <summary>
    /// Answers <paramref name="request"/> with the schemas of <paramref name="catalog"/>. With
    /// <paramref name="pointsAsBytes"/>, a page of raw points (no group_by, agg or top) is attached to the answer as its
    /// rows (<see cref="MeasurePointRows"/>) instead of being built as <c>data_points</c>: for a caller that writes the
    /// answer's bytes (the gRPC method's marshaller).
    /// </summary>
    /// <remarks>
    /// With <c>trace</c> in the request the answer carries the query's spans (<see cref="QueryTrace"/>): planning, each
    /// group's shard reads with a child per shard, and the merge; its points are then built as <c>data_points</c>.
    /// </remarks>
    public Task<MeasureV1.QueryResponse> RunAsync(MeasureV1.QueryRequest request, SchemaCatalog catalog, DateTimeOffset now, bool pointsAsBytes = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (QueryTrace.StartIf(request.Trace, "measure-query", request) is not { } trace)
        {
            return RunAsync(request, catalog, now, pointsAsBytes, null);
        }

        return trace.AnswerAsync(root => RunAsync(request, catalog, now, pointsAsBytes: false, root), "response_data_point_count", r => r.DataPoints.Count, static (r, t) => r.Trace = t);
    }

    private async Task<MeasureV1.QueryResponse> RunAsync(MeasureV1.QueryRequest request, SchemaCatalog catalog, DateTimeOffset now, bool pointsAsBytes, QueryTraceSpan? trace)
    {
        QueryTraceSpan? plan = trace?.Child("plan");
        List<QueryScope> scopes = QueryScope.Resolve(catalog, SchemaKind.Measure, request.Groups, request.Name, now);
        long begin = ResultValues.ToNanos(request.TimeRange?.Begin, long.MinValue);
        long end = ResultValues.ToNanos(request.TimeRange?.End, long.MaxValue);
        List<(string Family, string Tag)> tags = QueryScope.ProjectedTags(request.TagProjection, scopes, "tag_projection");
        List<string> fields = Fields(request.FieldProjection?.Names ?? [], scopes, "field_projection.names");
        List<(string Family, string Tag)> groupBy = request.GroupBy is null ? [] : QueryScope.ProjectedTags(request.GroupBy.TagProjection, scopes, "group_by.tag_projection");
        string? aggField = request.Agg is null ? null : Fields([request.Agg.FieldName], scopes, "agg.field_name")[0];
        if (request.Agg is not null)
        {
            _ = new FieldAggregator(request.Agg.Function); // refuses an unspecified function before any shard is read
        }

        string? topField = request.Top is null ? null : Fields([request.Top.FieldName], scopes, "top.field_name")[0];
        if (request.Top is { Number: < 0 })
        {
            throw new SchemaValidationException("top.number", "the number of top points must not be negative");
        }

        if (topField is not null && aggField is not null && topField != aggField)
        {
            // After aggregation a point holds only the aggregate: there is no other field to rank by.
            throw new SchemaValidationException("top.field_name", $"with agg, top ranks the aggregated field '{aggField}', got '{topField}'");
        }

        (string Family, string Tag)? orderTag = StreamQueryExecutor.OrderTag(request.OrderBy, scopes);
        bool descending = request.OrderBy?.Sort == Sort.Desc;

        // Grouping is done in the shards when nothing needs every row here: no order by an indexed tag, no index-mode
        // measure (one point per series, decided across shards) and no series-level tag in the projection (read from
        // each series' newest point).
        ShardGrouping? grouping = (request.GroupBy is not null || request.Agg is not null)
            && orderTag is null
            && scopes.All(s => !s.Subject.IndexMode)
            && !ProjectsSeriesTags(request.TagProjection, scopes)
            ? new ShardGrouping([.. groupBy.Select(g => new ShardColumn(g.Family, g.Tag))], aggField, descending,
                NeedsSum: request.Agg?.Function is not (AggregationFunction.Max or AggregationFunction.Min or AggregationFunction.Count),
                SkipsMinMax: request.Agg?.Function is AggregationFunction.Count or AggregationFunction.Sum or AggregationFunction.Mean)
            : null;
        Dictionary<string, PartialAggregate>? partialOf = grouping is null ? null : new(StringComparer.Ordinal);
        plan?.Tag("groups", string.Join(",", scopes.Select(s => s.Group))).Tag("aggregated in the shards", grouping is null ? "no" : "yes").Stop();

        List<ResultRow> rows = [];
        if (begin <= end)
        {
            IEnumerable<string> wantedFields = fields.Concat(aggField is null ? [] : [aggField]).Concat(topField is null ? [] : [topField]);
            Task<IReadOnlyList<ShardRows>>[] reads = [.. scopes.Select(scope =>
            {
                _ = CriteriaTranslator.Translate(request.Criteria, scope.Subject);
                EntityPatterns patterns = EntityPatterns.Of(request.Criteria, scope.Subject);
                if (patterns.IsEmpty)
                {
                    // BanyanDB's measure planner needs at least one series pattern ("series is required").
                    throw new SchemaValidationException("criteria", $"the conditions on the entity tags of {scope.Subject.Description} contradict each other: no series can match");
                }

                ImmutableArray<ShardColumn> columns = [.. StreamQueryExecutor.ColumnsOf(scope, tags.Concat(groupBy), orderTag), .. wantedFields.Distinct().Select(f => new ShardColumn(null, f))];
                QueryTraceSpan? read = trace?.Child($"read group {scope.Group}");
                Task<IReadOnlyList<ShardRows>> shardRows = fanOut.ReadShardsAsync(scope.Group, scope.Settings, new ShardQuery(request.Name, begin, end, request.Criteria, columns, options.MaxRowsPerShard, grouping),
                    patterns.Shards(scope.Subject, scope.Settings.ShardNum), read);
                return read is null ? shardRows : read.TimeAsync(shardRows);
            })];
            IReadOnlyList<ShardRows>[] results = await Task.WhenAll(reads);
            if (grouping is null)
            {
                rows.EnsureCapacity(results.Sum(r => r.Sum(shard => shard.Rows.Count))); // every row is kept: no doubling
            }

            Dictionary<string, int> firstOf = new(StringComparer.Ordinal);
            for (int i = 0; i < scopes.Count; i++)
            {
                foreach (ShardRows shardRows in results[i])
                {
                    if (grouping is null)
                    {
                        rows.AddRange(ResultRow.All(scopes[i].Group, shardRows.Rows));
                        continue;
                    }

                    // One row per group and shard: keep each group's first row in the query's order and add up its
                    // partial aggregates.
                    int index = 0;
                    foreach (ResultRow row in ResultRow.All(scopes[i].Group, shardRows.Rows))
                    {
                        string key = GroupKey(row, groupBy);
                        PartialAggregate partial = shardRows.Partials.IsDefault ? default : shardRows.Partials[index];
                        index++;
                        if (!firstOf.TryGetValue(key, out int known))
                        {
                            firstOf[key] = rows.Count;
                            rows.Add(row);
                            partialOf![key] = partial;
                            continue;
                        }

                        partialOf![key] = partialOf[key].Combine(partial);
                        if (Shards.ShardGrouper.Precedes(row.Timestamp, row.SeriesId, rows[known].Timestamp, rows[known].SeriesId, descending))
                        {
                            rows[known] = row;
                        }
                    }
                }
            }
        }

        using QueryTraceSpan? merge = trace?.Child("merge")?.Tag("rows", rows.Count);

        // The latest point of each series (highest timestamp, then version: a series' index document is replaced only by
        // a point at least as new): index-mode measures keep only it, and tags kept per series read from it. Worked out
        // only when one of the two needs it.
        bool indexMode = scopes.Any(s => s.Subject.IndexMode);
        bool needsLatest = indexMode || ProjectsSeriesTags(request.TagProjection, scopes);
        Dictionary<(string, ulong), ResultRow> latest = [];
        foreach (ResultRow row in needsLatest ? rows : [])
        {
            if (!latest.TryGetValue((row.Group, row.SeriesId), out ResultRow known) || row.Timestamp > known.Timestamp || (row.Timestamp == known.Timestamp && row.Version > known.Version))
            {
                latest[(row.Group, row.SeriesId)] = row;
            }
        }

        if (indexMode)
        {
            rows = [.. rows.Where(r => !scopes.First(s => s.Group == r.Group).Subject.IndexMode || latest[(r.Group, r.SeriesId)] == r)];
        }

        Dictionary<string, QuerySubject> subjects = scopes.ToDictionary(s => s.Group, s => s.Subject, StringComparer.Ordinal);
        MeasureV1.DataPoint ToPoint(ResultRow row, TagProjection? projection, List<string> pointFields) =>
            MeasureQueryExecutor.ToPoint(row, needsLatest ? latest[(row.Group, row.SeriesId)] : row, subjects[row.Group], projection, pointFields);

        Comparison<ResultRow> order = orderTag is { } o
            ? (a, b) =>
            {
                int c = ResultValues.Compare(a.Get(o.Family, o.Tag), b.Get(o.Family, o.Tag));
                c = c != 0 ? c : a.Timestamp.CompareTo(b.Timestamp);
                return descending ? -c : c;
            }
        : (a, b) =>
        {
            int c = a.Timestamp.CompareTo(b.Timestamp);
            c = c != 0 ? c : a.SeriesId.CompareTo(b.SeriesId);
            return descending ? -c : c;
        };
        List<ResultRow> ordered = InOrder(rows, order) ? rows : [.. rows.Order(Comparer<ResultRow>.Create(order))];

        // Each point with the value top ranks it by: the row's own field (projected or not), or the aggregate.
        int offset = (int)Math.Min(request.Offset, int.MaxValue);
        int limit = request.Limit == 0 ? DefaultLimit : (int)Math.Min(request.Limit, int.MaxValue);
        bool paged = false;
        MeasurePointRows? pointRows = null;
        List<MeasureV1.DataPoint> points = [];
        List<FieldValue?> rankValues = [];
        if (request.GroupBy is not null || request.Agg is not null)
        {
            foreach (List<ResultRow> group in GroupRows(ordered, groupBy))
            {
                if (request.Agg is null)
                {
                    points.Add(ToPoint(group[0], request.TagProjection, fields));
                    rankValues.Add(topField is null ? null : ResultValues.ToField(group[0].Get(null, topField)));
                    continue;
                }

                FieldAggregator aggregator = new(request.Agg.Function);
                if (partialOf is not null)
                {
                    aggregator.Add(partialOf[GroupKey(group[0], groupBy)]);
                }
                else
                {
                    foreach (ResultRow row in group)
                    {
                        aggregator.Add(row.Get(null, aggField!));
                    }
                }

                MeasureV1.DataPoint point = ToPoint(group[0], request.TagProjection, []);
                point.Timestamp = null;
                point.Sid = 0;
                point.Version = 0;
                FieldValue aggregate = aggregator.Result();
                point.Fields.Add(new MeasureV1.DataPoint.Types.Field { Name = aggField!, Value = aggregate });
                points.Add(point);
                rankValues.Add(aggregate);
            }
        }
        else if (request.Top is null && pointsAsBytes)
        {
            // The page's rows stand for its points; the marshaller writes them (a tag kept per series is read from the
            // series' latest row, as ToPoint reads it).
            int count = Math.Clamp(ordered.Count - offset, 0, limit);
            pointRows = new MeasurePointRows(
                count == 0 ? [] : ordered.GetRange(offset, count),
                (row, tag) => needsLatest && subjects[row.Group].IsSeriesTag(tag) ? latest[(row.Group, row.SeriesId)] : row,
                request.TagProjection,
                fields,
                r => ToPoint(r, request.TagProjection, fields));
            paged = true;
        }
        else if (request.Top is null)
        {
            // Only the page the request asks for becomes data points (a limit of 20 over 100,000 matching rows makes 20).
            points.EnsureCapacity(Math.Clamp(ordered.Count - offset, 0, limit));
            points.AddRange(ordered.Skip(offset).Take(limit).Select(r => ToPoint(r, request.TagProjection, fields)));
            paged = true;
        }
        else
        {
            points.AddRange(ordered.Select(r => ToPoint(r, request.TagProjection, fields)));
            rankValues.AddRange(ordered.Select(r => topField is null ? null : ResultValues.ToField(r.Get(null, topField))));
        }

        if (request.Top is { } top)
        {
            bool ascending = top.FieldValueSort == Sort.Asc;
            List<MeasureV1.DataPoint> ranked = [.. Enumerable.Range(0, points.Count)
                .OrderBy(i => rankValues[i], Comparer<FieldValue?>.Create((x, y) => CompareFields(x, y, ascending)))
                .Select(i => points[i])];
            points = [.. ranked.Take(top.Number == 0 ? ranked.Count : top.Number)];
        }

        MeasureV1.QueryResponse response = new();
        if (pointRows is not null)
        {
            pointRows.AttachTo(response);
            return response;
        }

        response.DataPoints.Add(paged ? points : points.Skip(offset).Take(limit));
        return response;
    }

    // True when the rows are already in the query's order (one shard's rows of one series, read in time order): the
    // stable sort would leave them as they are, and sorting a few hundred rows through a delegate comparer is a large
    // part of a small query.
    private static bool InOrder(List<ResultRow> rows, Comparison<ResultRow> order)
    {
        for (int i = 1; i < rows.Count; i++)
        {
            if (order(rows[i - 1], rows[i]) > 0)
            {
                return false;
            }
        }

        return true;
    }

    private static List<List<ResultRow>> GroupRows(List<ResultRow> rows, List<(string Family, string Tag)> groupBy)
    {
        Dictionary<string, List<ResultRow>> groups = new(StringComparer.Ordinal);
        List<List<ResultRow>> inOrder = [];
        foreach (ResultRow row in rows)
        {
            string key = GroupKey(row, groupBy);
            if (!groups.TryGetValue(key, out List<ResultRow>? group))
            {
                groups[key] = group = [];
                inOrder.Add(group);
            }

            group.Add(row);
        }

        return inOrder;
    }

    // The group a row belongs to: its group-by values (the same key the shards group by, ShardGrouper.KeyOf).
    private static string GroupKey(ResultRow row, List<(string Family, string Tag)> groupBy)
        => string.Join('\u0001', groupBy.Select(g => row.Get(g.Family, g.Tag).ToString()));

    private static bool ProjectsSeriesTags(TagProjection? projection, List<QueryScope> scopes)
        => projection is not null && projection.TagFamilies.Any(f => f.Tags.Any(t => scopes.Any(s => s.Subject.IsSeriesTag(t))));

    // Highest first (lowest first when ascending); points without a value last either way.
    private static int CompareFields(FieldValue? x, FieldValue? y, bool ascending)
    {
        double? a = Number(x);
        double? b = Number(y);
        if (a is null || b is null)
        {
            return a is null == b is null ? 0 : a is null ? 1 : -1;
        }

        int c = a.Value.CompareTo(b.Value);
        return ascending ? c : -c;
    }

    private static double? Number(FieldValue? value) => value?.ValueCase switch
    {
        FieldValue.ValueOneofCase.Int => value.Int.Value,
        FieldValue.ValueOneofCase.Float => value.Float.Value,
        _ => null,
    };

    private static MeasureV1.DataPoint ToPoint(ResultRow row, ResultRow seriesLatest, QuerySubject subject, TagProjection? projection, List<string> fields)
    {
        MeasureV1.DataPoint point = new()
        {
            Timestamp = ResultValues.ToTimestamp(row.Timestamp),
            Sid = row.SeriesId,
            Version = row.Version,
        };
        if (projection is not null)
        {
            point.TagFamilies.Capacity = projection.TagFamilies.Count;
            foreach (TagProjection.Types.TagFamily family in projection.TagFamilies)
            {
                TagFamily result = new() { Name = family.Name };
                result.Tags.Capacity = family.Tags.Count;
                foreach (string tag in family.Tags)
                {
                    ResultRow source = subject.IsSeriesTag(tag) ? seriesLatest : row;
                    result.Tags.Add(new Tag { Key = tag, Value = ResultValues.ToTag(source.Get(family.Name, tag)) });
                }

                point.TagFamilies.Add(result);
            }
        }

        // Room for exactly the fields, as for the tags above: a repeated field's first add makes room for eight (13 % of
        // what a query of raw points of one field allocated).
        point.Fields.Capacity = fields.Count;
        foreach (string field in fields)
        {
            point.Fields.Add(new MeasureV1.DataPoint.Types.Field { Name = field, Value = ResultValues.ToField(row.Get(null, field)) });
        }

        return point;
    }

    private static List<string> Fields(IEnumerable<string> names, List<QueryScope> scopes, string path)
    {
        List<string> fields = [];
        int i = 0;
        foreach (string name in names)
        {
            if (!scopes.Any(s => s.Subject.TryGetField(name, out _)))
            {
                throw new SchemaValidationException(path.EndsWith(".names", StringComparison.Ordinal) ? string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]") : path, $"field '{name}' is not declared by {scopes[0].Subject.Description}");
            }

            fields.Add(name);
            i++;
        }

        return fields;
    }
}
