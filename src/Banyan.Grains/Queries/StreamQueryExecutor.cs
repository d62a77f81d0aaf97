using System.Collections.Immutable;
using System.Globalization;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Banyan.Storage.Values;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Grains.Queries;

/// <summary>
/// Runs BanyanDB's stream query (<c>StreamService/Query</c>) over the shards: validates the request against each group's
/// schema, sends every shard its filtered read (<see cref="QueryFanOut"/>), then merges: one element per element id
/// (the earliest; BanyanDB deduplicates re-sent elements), ordered by time or by the tag of the index rule named in
/// <c>order_by</c> (ascending unless <c>SORT_DESC</c>; ties by time), then <c>offset</c> and <c>limit</c> (default 20,
/// as BanyanDB's). The answer projects the requested tag families and tags in request order; a tag an element lacks
/// is <c>NULL_VALUE</c>.
/// </summary>
internal sealed class StreamQueryExecutor(QueryFanOut fanOut, QueryOptions options)
{
    /// <summary>BanyanDB's default page size for streams.</summary>
    public const int DefaultLimit = 20;

    /// <summary>
    /// Answers <paramref name="request"/> with the schemas of <paramref name="catalog"/>; with <c>trace</c> in the request
    /// the answer carries the query's spans (<see cref="QueryTrace"/>).
    /// </summary>
    public Task<StreamV1.QueryResponse> RunAsync(StreamV1.QueryRequest request, SchemaCatalog catalog, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (QueryTrace.StartIf(request.Trace, "stream-query", request) is not { } trace)
        {
            return RunAsync(request, catalog, now, null);
        }

        return trace.AnswerAsync(root => RunAsync(request, catalog, now, root), "response_element_count", r => r.Elements.Count, static (r, t) => r.Trace = t);
    }

    private async Task<StreamV1.QueryResponse> RunAsync(StreamV1.QueryRequest request, SchemaCatalog catalog, DateTimeOffset now, QueryTraceSpan? trace)
    {
        QueryTraceSpan? plan = trace?.Child("plan");
        List<QueryScope> scopes = QueryScope.Resolve(catalog, SchemaKind.Stream, request.Groups, request.Name, now);
        long begin = ResultValues.ToNanos(request.TimeRange?.Begin, long.MinValue);
        long end = ResultValues.ToNanos(request.TimeRange?.End, long.MaxValue);
        List<(string Family, string Tag)> projection = QueryScope.ProjectedTags(request.Projection, scopes, "projection");
        (string Family, string Tag)? orderTag = OrderTag(request.OrderBy, scopes);
        bool descending = request.OrderBy?.Sort == Sort.Desc;
        plan?.Tag("groups", string.Join(",", scopes.Select(s => s.Group))).Stop();

        List<ResultRow> rows = [];
        if (begin <= end)
        {
            Task<IReadOnlyList<Banyan.Storage.Rows.WriteBatch>>[] reads = [.. scopes.Select(scope =>
            {
                ShardQuery query = new(request.Name, begin, end, Translate(request.Criteria, scope), ColumnsOf(scope, projection, orderTag), options.MaxRowsPerShard);
                QueryTraceSpan? read = trace?.Child($"read group {scope.Group}");
                Task<IReadOnlyList<Banyan.Storage.Rows.WriteBatch>> batches = fanOut.ReadAsync(scope.Group, scope.Settings, query, EntityPatterns.Of(request.Criteria, scope.Subject).Shards(scope.Subject, scope.Settings.ShardNum), read);
                return read is null ? batches : read.TimeAsync(batches);
            })];
            IReadOnlyList<Banyan.Storage.Rows.WriteBatch>[] results = await Task.WhenAll(reads);
            for (int i = 0; i < scopes.Count; i++)
            {
                foreach (Banyan.Storage.Rows.WriteBatch batch in results[i])
                {
                    rows.AddRange(ResultRow.All(scopes[i].Group, batch));
                }
            }
        }

        using QueryTraceSpan? merge = trace?.Child("merge")?.Tag("rows", rows.Count);

        // Deduplicate by element id, keeping the earliest copy (ties: the lowest series id).
        rows.Sort(static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.SeriesId.CompareTo(b.SeriesId));
        HashSet<(string, long)> seen = [];
        rows.RemoveAll(r => !seen.Add((r.Group, r.Version)));

        Comparison<ResultRow> order = orderTag is { } tag
            ? (a, b) =>
            {
                int c = ResultValues.Compare(a.Get(tag.Family, tag.Tag), b.Get(tag.Family, tag.Tag));
                c = c != 0 ? c : a.Timestamp.CompareTo(b.Timestamp);
                return descending ? -c : c;
            }
        : (a, b) => descending ? b.Timestamp.CompareTo(a.Timestamp) : a.Timestamp.CompareTo(b.Timestamp);
        List<ResultRow> ordered = [.. rows.Order(Comparer<ResultRow>.Create(order))];

        int limit = request.Limit == 0 ? DefaultLimit : (int)Math.Min(request.Limit, int.MaxValue);
        StreamV1.QueryResponse response = new();
        foreach (ResultRow row in ordered.Skip((int)Math.Min(request.Offset, int.MaxValue)).Take(limit))
        {
            response.Elements.Add(ToElement(row, request.Projection));
        }

        return response;
    }

    private static Banyan.Api.Model.V1.Criteria? Translate(Banyan.Api.Model.V1.Criteria? criteria, QueryScope scope)
    {
        // Validated here, where the error reaches the client; the shards translate again for evaluation.
        _ = CriteriaTranslator.Translate(criteria, scope.Subject);
        return criteria;
    }

    /// <summary>The tag an <c>order_by</c> with an index rule sorts by; null to sort by time.</summary>
    internal static (string Family, string Tag)? OrderTag(QueryOrder? order, IReadOnlyList<QueryScope> scopes)
    {
        if (order is null || string.IsNullOrEmpty(order.IndexRuleName))
        {
            return null;
        }

        foreach (QueryScope scope in scopes)
        {
            if (scope.Subject.RuleNamed(order.IndexRuleName) is { Tags.Count: > 0 } rule && scope.Subject.TryGetTag(rule.Tags[0], out string family, out _))
            {
                return (family, rule.Tags[0]);
            }
        }

        throw new SchemaValidationException("order_by.index_rule_name", $"index rule '{order.IndexRuleName}' is not bound to {scopes[0].Subject.Description}");
    }

    internal static ImmutableArray<ShardColumn> ColumnsOf(QueryScope scope, IEnumerable<(string Family, string Tag)> tags, (string Family, string Tag)? orderTag)
    {
        HashSet<ShardColumn> columns = [];
        foreach ((string family, string tag) in tags)
        {
            if (scope.Subject.HasTag(family, tag))
            {
                columns.Add(new ShardColumn(family, tag));
            }
        }

        if (orderTag is { } o && scope.Subject.HasTag(o.Family, o.Tag))
        {
            columns.Add(new ShardColumn(o.Family, o.Tag));
        }

        return [.. columns];
    }

    private static StreamV1.Element ToElement(ResultRow row, TagProjection? projection)
    {
        StreamV1.Element element = new()
        {
            ElementId = unchecked((ulong)row.Version).ToString("x16", CultureInfo.InvariantCulture),
            Timestamp = ResultValues.ToTimestamp(row.Timestamp),
        };
        if (projection is not null)
        {
            foreach (TagProjection.Types.TagFamily family in projection.TagFamilies)
            {
                TagFamily result = new() { Name = family.Name };
                foreach (string tag in family.Tags)
                {
                    ColumnValue value = row.Get(family.Name, tag);
                    result.Tags.Add(new Tag { Key = tag, Value = ResultValues.ToTag(value) });
                }

                element.TagFamilies.Add(result);
            }
        }

        return element;
    }
}
