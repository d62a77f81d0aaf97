using System.Collections.Immutable;
using System.Globalization;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Queries;
using Banyan.Grains.Schema;
using Banyan.Grains.Writes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.TopN;

/// <summary>
/// Runs BanyanDB's <c>MeasureService/TopN</c> over the ranked lists the shards keep, in BanyanDB's plan order
/// (<c>banyand/query/processor_topn.go</c>, <c>pkg/query/logical/measure/topn_*.go</c>): for every group named, the
/// TopN aggregation of the request's name; the lists of the requested direction whose window starts in the time range
/// (of one group-by value when the conditions name it, of all otherwise) from every shard of its source measure; merged
/// into one item per entity holding the entity's best value (<see cref="TopNDistinct{T}"/>), the best <c>top_n</c>;
/// then, with <c>agg</c>, the function over each entity's value (BanyanDB 0.10 aggregates after that merge, so COUNT is
/// 1 and MEAN, SUM, MAX and MIN are the best value) and the items ranked again: one list.
/// </summary>
internal sealed class TopNQueryExecutor(TopNFanOut fanOut)
{
    /// <summary>Answers <paramref name="request"/> with the schemas of <paramref name="catalog"/>.</summary>
    /// <exception cref="SchemaValidationException">The request is malformed; the message names the field.</exception>
    /// <exception cref="SchemaNotFoundException">A group or the TopN aggregation in a group does not exist.</exception>
    /// <remarks>With <c>trace</c> in the request the answer carries the query's spans (<see cref="Queries.QueryTrace"/>).</remarks>
    public Task<MeasureV1.TopNResponse> RunAsync(MeasureV1.TopNRequest request, SchemaCatalog catalog, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        if (Queries.QueryTrace.StartIf(request.Trace, "topn-query", request) is not { } trace)
        {
            return RunAsync(request, catalog, now, null);
        }

        return trace.AnswerAsync(root => RunAsync(request, catalog, now, root), "response_list_count", r => r.Lists.Count, static (r, t) => r.Trace = t);
    }

    private async Task<MeasureV1.TopNResponse> RunAsync(MeasureV1.TopNRequest request, SchemaCatalog catalog, DateTimeOffset now, Queries.QueryTraceSpan? trace)
    {
        Queries.QueryTraceSpan? plan = trace?.Child("plan");
        Validate(request);
        bool descending = request.FieldValueSort == Sort.Desc;
        long begin = ResultValues.ToNanos(request.TimeRange.Begin, long.MinValue);
        long end = ResultValues.ToNanos(request.TimeRange.End, long.MaxValue);
        List<Scope> scopes = [.. request.Groups.Distinct(StringComparer.Ordinal).Select(g => Resolve(catalog, g, request, now))];
        CheckCompatible(scopes);
        plan?.Tag("groups", string.Join(",", scopes.Select(s => s.SourceGroup))).Stop();

        List<MeasureV1.TopNList> answers = [];
        if (begin <= end)
        {
            IReadOnlyList<MeasureV1.TopNList>[] reads = await Task.WhenAll(scopes.Select(scope =>
            {
                Queries.QueryTraceSpan? read = trace?.Child($"read group {scope.SourceGroup}");
                Task<IReadOnlyList<MeasureV1.TopNList>> lists = fanOut.ReadAsync(
                    scope.SourceGroup,
                    scope.Settings,
                    new TopNShardQuery(scope.Definition.Group, scope.Definition.Name, descending, scope.GroupKey, begin, end, request.TopN, [.. scope.Definition.Measure.Entity.TagNames]),
                    read);
                return read is null ? lists : read.TimeAsync(lists);
            }));
            answers.AddRange(reads.SelectMany(r => r));
        }

        using Queries.QueryTraceSpan? merge = trace?.Child("merge")?.Tag("lists", answers.Count);

        TopNDistinct<MeasureV1.TopNList.Types.Item> distinct = new(descending);
        foreach (MeasureV1.TopNList list in answers)
        {
            foreach (MeasureV1.TopNList.Types.Item item in list.Items)
            {
                distinct.Put(TopNEntity.KeyOf(item.Entity), TopNEntity.RankOf(item.Value), item);
            }
        }

        List<(TopNRank Value, MeasureV1.TopNList.Types.Item Item)> top = distinct.Top(request.TopN);
        MeasureV1.TopNResponse response = new();
        if (top.Count == 0)
        {
            return response;
        }

        if (request.Agg == AggregationFunction.Unspecified)
        {
            response.Lists.Add(new MeasureV1.TopNList { Items = { top.Select(t => t.Item) } });
            return response;
        }

        // One value per entity after the merge, aggregated and ranked again (equal values keep their order).
        TopNDistinct<MeasureV1.TopNList.Types.Item> aggregated = new(descending);
        foreach ((TopNRank value, MeasureV1.TopNList.Types.Item item) in top)
        {
            aggregated.Put(TopNEntity.KeyOf(item.Entity), TopNAggregate.Apply(request.Agg, [value]), item);
        }

        MeasureV1.TopNList result = new() { Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now) };
        foreach ((TopNRank value, MeasureV1.TopNList.Types.Item item) in aggregated.Top(request.TopN))
        {
            result.Items.Add(new MeasureV1.TopNList.Types.Item { Entity = { item.Entity }, Value = TopNEntity.ToField(value) });
        }

        response.Lists.Add(result);
        return response;
    }

    private static void Validate(MeasureV1.TopNRequest request)
    {
        if (request.Groups.Count == 0 || request.Groups.Any(string.IsNullOrEmpty))
        {
            throw new SchemaValidationException("groups", "at least one group is required, and no group name may be empty");
        }

        if (string.IsNullOrEmpty(request.Name))
        {
            throw new SchemaValidationException("name", "the TopN aggregation name is required");
        }

        if (request.TimeRange is null)
        {
            throw new SchemaValidationException("time_range", "is required");
        }

        if (request.TopN <= 0)
        {
            throw new SchemaValidationException("top_n", $"must be greater than 0, got {request.TopN}");
        }

        if (request.FieldValueSort is not (Sort.Asc or Sort.Desc))
        {
            throw new SchemaValidationException("field_value_sort", $"must be SORT_ASC (bottom N) or SORT_DESC (top N), got {request.FieldValueSort}");
        }

        TopNAggregate.Validate(request.Agg);
    }

    private static Scope Resolve(SchemaCatalog catalog, string group, MeasureV1.TopNRequest request, DateTimeOffset now)
    {
        if (!catalog.TryGetGroup(group, out Group? schema))
        {
            throw new SchemaNotFoundException($"group '{group}' is not found");
        }

        if (schema.Catalog != Catalog.Measure)
        {
            throw new SchemaNotFoundException($"group '{group}' is not a measure group");
        }

        if (!catalog.TryGetTopNAggregation(group, request.Name, out TopNAggregation? aggregation))
        {
            throw new SchemaNotFoundException($"topn-agg '{group}/{request.Name}' is not found");
        }

        if (aggregation.FieldValueSort != Sort.Unspecified && aggregation.FieldValueSort != request.FieldValueSort)
        {
            throw new SchemaValidationException("field_value_sort", $"TopN aggregation '{group}/{request.Name}' keeps only {aggregation.FieldValueSort} lists, the request asks for {request.FieldValueSort}");
        }

        if (!TopNDefinition.TryCreate(aggregation, catalog, now, out TopNDefinition? definition, out string reason))
        {
            throw new SchemaValidationException("name", reason);
        }

        string sourceGroup = definition!.Measure.Metadata.Group;
        if (!catalog.TryGetGroup(sourceGroup, out Group? source) || !GroupSettings.TryFrom(source, out GroupSettings? settings))
        {
            throw new SchemaValidationException("groups", $"group '{sourceGroup}' of the source measure has no usable resource_opts (shard_num, segment_interval, ttl)");
        }

        return new Scope(definition, sourceGroup, settings, GroupKeyOf(request.Conditions, definition));
    }

    // BanyanDB's TopN planner turns the conditions into the group-by part of the result series: only EQ on group-by
    // tags, all of them named, with a string, integer or null value (parseGroupByTags in topn_plan_localscan.go).
    private static string? GroupKeyOf(Google.Protobuf.Collections.RepeatedField<Condition> conditions, TopNDefinition definition)
    {
        if (conditions.Count == 0)
        {
            return null;
        }

        string[] parts = new string[definition.GroupBy.Length];
        for (int i = 0; i < conditions.Count; i++)
        {
            Condition condition = conditions[i];
            string path = string.Create(CultureInfo.InvariantCulture, $"conditions[{i}]");
            if (condition.Op != Condition.Types.BinaryOp.Eq)
            {
                throw new SchemaValidationException(path + ".op", $"a TopN query selects lists by group-by tags with BINARY_OP_EQ only, got {condition.Op}");
            }

            int index = Array.FindIndex(definition.GroupBy, t => string.Equals(t.Tag, condition.Name, StringComparison.Ordinal));
            if (index < 0)
            {
                throw new SchemaValidationException(path + ".name", $"'{condition.Name}' is not a group-by tag of TopN aggregation '{definition.Group}/{definition.Name}' ({string.Join(", ", definition.GroupBy.Select(t => t.Tag))})");
            }

            parts[index] = condition.Value?.ValueCase switch
            {
                TagValue.ValueOneofCase.Str => condition.Value.Str.Value,
                TagValue.ValueOneofCase.Int => condition.Value.Int.Value.ToString(CultureInfo.InvariantCulture),
                TagValue.ValueOneofCase.Null or TagValue.ValueOneofCase.None or null => string.Empty,
                _ => throw new SchemaValidationException(path + ".value", $"a group-by value must be a string, an integer or null, got {condition.Value.ValueCase}"),
            };
        }

        int missing = Array.FindIndex(parts, p => p is null);
        if (missing >= 0)
        {
            throw new SchemaValidationException("conditions", $"every group-by tag of TopN aggregation '{definition.Group}/{definition.Name}' needs a condition; '{definition.GroupBy[missing].Tag}' has none");
        }

        return TopNGroupKey.Join(parts);
    }

    // BanyanDB merges several groups' lists only when their source measures share the entity and the ranked field.
    private static void CheckCompatible(List<Scope> scopes)
    {
        TopNDefinition first = scopes[0].Definition;
        foreach (Scope scope in scopes.Skip(1))
        {
            if (!scope.Definition.Measure.Entity.TagNames.SequenceEqual(first.Measure.Entity.TagNames))
            {
                throw new SchemaValidationException("groups", $"the source measures of '{first.Group}/{first.Name}' and '{scope.Definition.Group}/{scope.Definition.Name}' have different entities; TopN merges groups of one entity only");
            }

            if (!string.Equals(scope.Definition.FieldName, first.FieldName, StringComparison.Ordinal) || scope.Definition.IsFloat != first.IsFloat)
            {
                throw new SchemaValidationException("groups", $"TopN aggregations '{first.Group}/{first.Name}' and '{scope.Definition.Group}/{scope.Definition.Name}' rank different fields ('{first.FieldName}', '{scope.Definition.FieldName}')");
            }
        }
    }

    private sealed record Scope(TopNDefinition Definition, string SourceGroup, GroupSettings Settings, string? GroupKey);
}
