using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using static Banyan.Grains.Tests.Queries.QuerySchemas;
using MeasureV1 = Banyan.Api.Measure.V1;
using Op = Banyan.Api.Model.V1.Condition.Types.BinaryOp;

namespace Banyan.Grains.Tests.Queries;

/// <summary>
/// Measure queries through <c>IMeasureGrain.Query</c> on the 3-silo TestCluster, against a known dataset (4 series × 5
/// minutes) and a model of it: inclusive time ranges, criteria, projections, ordering, paging, version dedup, group by
/// with every aggregation, top N, schema evolution, several groups.
/// </summary>
[Collection(SharedClusterDefinition.Name)]
public sealed class MeasureQueryTests(ClusterFixture fixture)
{
    private const string MainGroup = "qm-main";
    private static readonly SemaphoreSlim s_seedLock = new(1, 1);
    private static CpmPoint[]? s_main;

    private static readonly Dictionary<string, (Criteria Criteria, Func<CpmPoint, bool> Expected)> s_cases = new()
    {
        ["entity EQ"] = (Where.Eq("service", "svc-a"), p => p.Service == "svc-a"),
        ["entity pair"] = (Where.And(Where.Eq("service", "svc-b"), Where.Eq("instance", "i1")), p => p.Service == "svc-b" && p.Instance == "i1"),
        ["entity IN"] = (Where.Is("instance", Op.In, Strs("i2")), p => p.Instance == "i2"),
        ["entity NE"] = (Where.Is("instance", Op.Ne, Str("i1")), p => p.Instance != "i1"),
        ["entity NOT_IN"] = (Where.Is("service", Op.NotIn, Strs("svc-a")), p => p.Service != "svc-a"),
        ["entity contradiction inside AND"] = (
            Where.And(Where.And(Where.Eq("service", "svc-a"), Where.Eq("service", "svc-b")), Where.Eq("instance", "i1")),
            p => p.Instance == "i1"),
        ["EQ"] = (Where.Is("code", Op.Eq, Number(500)), p => p.Code == 500),
        ["NE"] = (Where.Is("region", Op.Ne, Str("eu")), p => p.Region != "eu"),
        ["LT"] = (Where.Is("code", Op.Lt, Number(500)), p => p.Code < 500),
        ["GT"] = (Where.Is("code", Op.Gt, Number(200)), p => p.Code > 200),
        ["LE"] = (Where.Is("code", Op.Le, Number(200)), p => p.Code <= 200),
        ["GE"] = (Where.Is("code", Op.Ge, Number(201)), p => p.Code >= 201),
        ["IN"] = (Where.Is("region", Op.In, Strs("us", "ap")), p => p.Region == "us"),
        ["NOT_IN"] = (Where.Is("code", Op.NotIn, Ints(500, 404)), p => p.Code is not (500 or 404)),
        ["HAVING"] = (Where.Is("labels", Op.Having, Strs("l3")), p => p.Labels?.Contains("l3") == true),
        ["NOT_HAVING"] = (Where.And(Where.Is("code", Op.Eq, Number(500)), Where.Is("labels", Op.NotHaving, Strs("l3"))), p => p.Code == 500 && p.Labels?.Contains("l3") != true),
        ["MATCH"] = (Where.Match("instance", "i2"), p => p.Instance == "i2"),
        ["AND"] = (Where.And(Where.Eq("service", "svc-a"), Where.Is("code", Op.Eq, Number(200))), p => p.Service == "svc-a" && p.Code == 200),
        ["OR"] = (Where.Or(Where.Is("code", Op.Eq, Number(500)), Where.Eq("region", "us")), p => p.Code == 500 || p.Region == "us"),
        ["nested"] = (
            Where.And(Where.Eq("instance", "i2"), Where.Or(Where.Is("code", Op.Eq, Number(200)), Where.Is("labels", Op.Having, Strs("l1")))),
            p => p.Instance == "i2" && (p.Code == 200 || p.Labels?.Contains("l1") == true)),
    };

    public static TheoryData<string> CaseNames() => [.. s_cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Criteria_select_what_the_model_selects(string name)
    {
        CpmPoint[] data = await MainAsync();
        (Criteria criteria, Func<CpmPoint, bool> expected) = s_cases[name];
        MeasureV1.QueryRequest request = Request(data);
        request.Criteria = criteria;
        List<long> want = [.. data.Where(expected).Select(p => p.Total).Order()];
        Assert.True(want.Count is > 0 and < 20, $"case {name} should select some points: {want.Count}");
        Assert.Equal(want, Totals(await QueryAsync(request)).Order());
    }

    [Fact]
    public async Task The_time_range_is_inclusive_at_both_ends()
    {
        CpmPoint[] data = await MainAsync();
        DateTimeOffset t0 = data[0].Time;
        MeasureV1.QueryRequest request = Request(data);
        request.TimeRange = QueryData.Range(t0.AddMinutes(1), t0.AddMinutes(3));
        Assert.Equal(data.Where(p => p.Time >= t0.AddMinutes(1) && p.Time <= t0.AddMinutes(3)).Select(p => p.Total).Order(), Totals(await QueryAsync(request)).Order());
        Assert.Equal(12, (await QueryAsync(request)).DataPoints.Count);

        request.TimeRange = QueryData.Range(t0.AddMinutes(1).AddTicks(1), t0.AddMinutes(3).AddTicks(-1));
        Assert.Equal(data.Where(p => p.Time == t0.AddMinutes(2)).Select(p => p.Total).Order(), Totals(await QueryAsync(request)).Order());

        request.TimeRange = QueryData.Range(t0.AddMinutes(4), t0.AddMinutes(4));
        Assert.Equal(4, (await QueryAsync(request)).DataPoints.Count);

        request.TimeRange = QueryData.Range(t0.AddMinutes(4), t0.AddMinutes(3));
        Assert.Empty((await QueryAsync(request)).DataPoints);
    }

    [Fact]
    public async Task Projection_keeps_the_request_order_and_answers_NULL_VALUE_for_a_missing_tag()
    {
        CpmPoint[] data = await MainAsync();
        MeasureV1.QueryRequest request = Request(data);
        request.TagProjection = QueryData.Project("default", "labels", "service", "code");
        request.FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "value", "total" } };
        MeasureV1.QueryResponse response = await QueryAsync(request);
        Assert.Equal(data.Length, response.DataPoints.Count);
        Dictionary<(string, string), ulong> sids = [];
        foreach (MeasureV1.DataPoint point in response.DataPoints)
        {
            CpmPoint p = data.Single(d => d.Total == point.Fields[1].Value.Int.Value);
            Assert.Equal(Timestamp.FromDateTimeOffset(p.Time), point.Timestamp);
            Assert.Equal("default", Assert.Single(point.TagFamilies).Name);
            Assert.Equal(["labels", "service", "code"], point.TagFamilies[0].Tags.Select(t => t.Key));
            Assert.Equal(p.Labels is null ? Null() : Strs(p.Labels), point.TagFamilies[0].Tags[0].Value);
            Assert.Equal(Str(p.Service), point.TagFamilies[0].Tags[1].Value);
            Assert.Equal(Number(p.Code), point.TagFamilies[0].Tags[2].Value);
            Assert.Equal(["value", "total"], point.Fields.Select(f => f.Name));
            Assert.Equal(p.Value, point.Fields[0].Value.Float.Value);
            Assert.NotEqual(0UL, point.Sid);
            Assert.True(sids.TryAdd((p.Service, p.Instance), point.Sid) || sids[(p.Service, p.Instance)] == point.Sid, "one series id per series");
        }

        Assert.Equal(4, sids.Values.Distinct().Count());

        request.FieldProjection.Names.Add("nope");
        SchemaValidationException field = await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(request));
        Assert.Equal("field_projection.names[2]", field.Field);

        request.FieldProjection.Names.RemoveAt(2);
        request.TagProjection = QueryData.Project("default", "service", "nope");
        SchemaValidationException tag = await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(request));
        Assert.Equal("tag_projection.tag_families[0].tags[1]", tag.Field);
    }

    [Fact]
    public async Task Points_are_ordered_by_time_or_by_an_indexed_tag_either_way()
    {
        CpmPoint[] data = await MainAsync();
        MeasureV1.QueryRequest request = Request(data);
        request.TagProjection = QueryData.Project("default", "instance");
        List<MeasureV1.DataPoint> points = [.. (await QueryAsync(request)).DataPoints];
        Assert.Equal(data.Select(p => p.Time).Order(), points.Select(p => p.Timestamp.ToDateTimeOffset()));

        request.OrderBy = new QueryOrder { Sort = Sort.Desc };
        points = [.. (await QueryAsync(request)).DataPoints];
        Assert.Equal(data.Select(p => p.Time).OrderDescending(), points.Select(p => p.Timestamp.ToDateTimeOffset()));

        request.OrderBy = new QueryOrder { IndexRuleName = InstanceRule, Sort = Sort.Asc };
        points = [.. (await QueryAsync(request)).DataPoints];
        Assert.Equal([.. Enumerable.Repeat("i1", 10), .. Enumerable.Repeat("i2", 10)], points.Select(p => p.TagFamilies[0].Tags[0].Value.Str.Value));

        // Ties on the tag are in time order (reversed with the sort).
        Assert.Equal(data.Where(p => p.Instance == "i1").Select(p => p.Time).Order(), points.Take(10).Select(p => p.Timestamp.ToDateTimeOffset()));

        request.OrderBy = new QueryOrder { IndexRuleName = InstanceRule, Sort = Sort.Desc };
        request.Limit = 3;
        points = [.. (await QueryAsync(request)).DataPoints];
        Assert.Equal(["i2", "i2", "i2"], points.Select(p => p.TagFamilies[0].Tags[0].Value.Str.Value));
        Assert.Equal(Enumerable.Repeat(data[^1].Time, 2).Append(data[^1].Time.AddMinutes(-1)), points.Select(p => p.Timestamp.ToDateTimeOffset()));
    }

    [Fact]
    public async Task Offset_and_limit_page_with_100_points_by_default()
    {
        const string group = "qm-page";
        await Schemas.CreateAsync(fixture.Client, MeasureGroup(group));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(3));
        CpmPoint[] data = [.. Enumerable.Range(0, 110).Select(i => new CpmPoint(t0.AddSeconds(i), "svc-a", "i" + (i % 2), "eu", 200, null, i, i))];
        await QueryData.WriteAsync(fixture.Client, group, data);

        MeasureV1.QueryRequest request = new() { Groups = { group }, Name = MeasureName, TimeRange = QueryData.Range(t0, t0.AddHours(1)), FieldProjection = new() { Names = { "total" } } };
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), Totals(await QueryAsync(request)));

        request.Offset = 105;
        Assert.Equal(Enumerable.Range(105, 5).Select(i => (long)i), Totals(await QueryAsync(request)));

        request.Offset = 10;
        request.Limit = 4;
        Assert.Equal([10L, 11, 12, 13], Totals(await QueryAsync(request)));

        request.Offset = 0;
        request.Limit = 1000;
        Assert.Equal(110, (await QueryAsync(request)).DataPoints.Count);
    }

    [Fact]
    public async Task The_highest_version_of_a_point_wins_whatever_the_write_order()
    {
        const string group = "qm-version";
        await Schemas.CreateAsync(fixture.Client, MeasureGroup(group));
        DateTimeOffset t = QueryData.BaseTime(TimeSpan.FromHours(3));
        await QueryData.WriteAsync(fixture.Client, group, [new CpmPoint(t, "svc-a", "i1", "eu", 200, null, 20, 2.0, Version: 2), new CpmPoint(t, "svc-a", "i2", "eu", 200, null, 1, 0.1, Version: 1)]);
        await QueryData.WriteAsync(fixture.Client, group, [new CpmPoint(t, "svc-a", "i1", "us", 404, null, 10, 1.0, Version: 1), new CpmPoint(t, "svc-a", "i2", "us", 404, null, 3, 0.3, Version: 3)]);

        MeasureV1.QueryRequest request = new()
        {
            Groups = { group },
            Name = MeasureName,
            TimeRange = QueryData.Range(t, t),
            TagProjection = QueryData.Project("default", "instance", "region", "code"),
            FieldProjection = new() { Names = { "total", "value" } },
        };
        MeasureV1.QueryResponse response = await QueryAsync(request);
        Assert.Equal(2, response.DataPoints.Count);
        MeasureV1.DataPoint i1 = response.DataPoints.Single(p => p.TagFamilies[0].Tags[0].Value.Str.Value == "i1");
        MeasureV1.DataPoint i2 = response.DataPoints.Single(p => p.TagFamilies[0].Tags[0].Value.Str.Value == "i2");
        Assert.Equal((2L, 20L, 2.0, "eu", 200L), (i1.Version, i1.Fields[0].Value.Int.Value, i1.Fields[1].Value.Float.Value, i1.TagFamilies[0].Tags[1].Value.Str.Value, i1.TagFamilies[0].Tags[2].Value.Int.Value));
        Assert.Equal((3L, 3L, 0.3, "us", 404L), (i2.Version, i2.Fields[0].Value.Int.Value, i2.Fields[1].Value.Float.Value, i2.TagFamilies[0].Tags[1].Value.Str.Value, i2.TagFamilies[0].Tags[2].Value.Int.Value));

        // Aggregations see one point per (series, time) too.
        request.Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = AggregationFunction.Sum, FieldName = "total" };
        request.GroupBy = new MeasureV1.QueryRequest.Types.GroupBy { TagProjection = QueryData.Project("default", "service") };
        request.TagProjection = QueryData.Project("default", "service");
        Assert.Equal(23, Assert.Single((await QueryAsync(request)).DataPoints).Fields[0].Value.Int.Value);
    }

    [Fact]
    public async Task Group_by_aggregates_each_group_with_every_function()
    {
        CpmPoint[] data = await MainAsync();
        foreach ((AggregationFunction function, string field, Func<IEnumerable<CpmPoint>, FieldValue> expected) in new (AggregationFunction, string, Func<IEnumerable<CpmPoint>, FieldValue>)[]
        {
            (AggregationFunction.Mean, "total", ps => IntField(ps.Sum(p => p.Total) / ps.Count())),
            (AggregationFunction.Max, "total", ps => IntField(ps.Max(p => p.Total))),
            (AggregationFunction.Min, "total", ps => IntField(ps.Min(p => p.Total))),
            (AggregationFunction.Count, "total", ps => IntField(ps.Count())),
            (AggregationFunction.Sum, "total", ps => IntField(ps.Sum(p => p.Total))),
            (AggregationFunction.Mean, "value", ps => FloatField(ps.Sum(p => p.Value) / ps.Count())),
            (AggregationFunction.Max, "value", ps => FloatField(ps.Max(p => p.Value))),
            (AggregationFunction.Count, "value", ps => FloatField(ps.Count())),
        })
        {
            MeasureV1.QueryRequest request = Request(data);
            request.FieldProjection = null;
            request.TagProjection = QueryData.Project("default", "service", "region");
            request.GroupBy = new MeasureV1.QueryRequest.Types.GroupBy { TagProjection = QueryData.Project("default", "service") };
            request.Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = function, FieldName = field };
            MeasureV1.QueryResponse response = await QueryAsync(request);

            // One point per group (in order of first appearance: both services have points in the first minute).
            Assert.Equal(["svc-a", "svc-b"], response.DataPoints.Select(p => p.TagFamilies[0].Tags[0].Value.Str.Value).Order());
            foreach (MeasureV1.DataPoint point in response.DataPoints)
            {
                string service = point.TagFamilies[0].Tags[0].Value.Str.Value;
                Assert.Equal(service == "svc-a" ? "eu" : "us", point.TagFamilies[0].Tags[1].Value.Str.Value);
                MeasureV1.DataPoint.Types.Field aggregate = Assert.Single(point.Fields);
                Assert.Equal(field, aggregate.Name);
                Assert.True(expected(data.Where(p => p.Service == service)).Equals(aggregate.Value), $"{function}({field}) of {service}: {aggregate.Value}");
            }
        }

        // Two grouping tags, with criteria and a time range: the aggregate of what they select.
        MeasureV1.QueryRequest pairs = Request(data);
        pairs.TimeRange = QueryData.Range(data[0].Time.AddMinutes(1), data[0].Time.AddMinutes(4));
        pairs.Criteria = Where.Is("code", Op.Eq, Number(500));
        pairs.FieldProjection = null;
        pairs.TagProjection = QueryData.Project("default", "service", "instance");
        pairs.GroupBy = new MeasureV1.QueryRequest.Types.GroupBy { TagProjection = QueryData.Project("default", "service", "instance") };
        pairs.Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = AggregationFunction.Sum, FieldName = "total" };
        Dictionary<string, long> sums = (await QueryAsync(pairs)).DataPoints.ToDictionary(p => p.TagFamilies[0].Tags[0].Value.Str.Value + "/" + p.TagFamilies[0].Tags[1].Value.Str.Value, p => p.Fields[0].Value.Int.Value);
        Dictionary<string, long> want = data.Where(p => p.Code == 500 && p.Time >= data[0].Time.AddMinutes(1)).GroupBy(p => p.Service + "/" + p.Instance).ToDictionary(g => g.Key, g => g.Sum(p => p.Total));
        Assert.Equal(want.OrderBy(kv => kv.Key), sums.OrderBy(kv => kv.Key));

        // Group by without aggregation: the first point of each group (one series per group here).
        MeasureV1.QueryRequest firsts = Request(data);
        firsts.Criteria = Where.Eq("instance", "i1");
        firsts.TagProjection = QueryData.Project("default", "service");
        firsts.GroupBy = new MeasureV1.QueryRequest.Types.GroupBy { TagProjection = QueryData.Project("default", "service") };
        Assert.Equal([0L, 20L], Totals(await QueryAsync(firsts)).Order());

        // An unspecified function or an unknown field is refused before any shard is read.
        MeasureV1.QueryRequest bad = Request(data);
        bad.Agg = new MeasureV1.QueryRequest.Types.Aggregation { FieldName = "total" };
        Assert.Equal("agg.function", (await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(bad))).Field);
        bad.Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = AggregationFunction.Sum, FieldName = "nope" };
        Assert.Equal("agg.field_name", (await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(bad))).Field);
    }

    [Fact]
    public async Task Aggregates_grouped_by_entity_tags_from_block_statistics_equal_those_read_row_by_row()
    {
        // Grouped by an entity tag, projecting only entity tags, no other criteria: shards answer from block statistics
        // (StatisticsGrouper). The same query with a criterion every point meets reads rows (ShardGrouper). Both must
        // equal the model, over flushed parts, memory parts and unsealed writes, with ranges that cut blocks, and with
        // newer versions of one series' points in a later part.
        const string group = "qm-statistics";
        await Schemas.CreateAsync(fixture.Client, MeasureGroup(group));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(3));
        List<CpmPoint> data = [];
        for (int wave = 0; wave < 3; wave++)
        {
            CpmPoint[] points = [.. Enumerable.Range(wave * 60, 60).SelectMany(i => Enumerable.Range(0, 6).Select(s => new CpmPoint(
                t0.AddSeconds(i), "svc-" + (s % 3), "i" + s, "eu", 200, null, ((i * 7919) + (s * 104_729)) % 1_000 - 300, (((i * 31) + s) % 97) / 4.0)))];
            await QueryData.WriteAsync(fixture.Client, group, points);
            data.AddRange(points);
            if (wave < 2)
            {
                await FlushAllAsync(group);
            }
        }

        // Newer versions of instance i1's first 40 s (flushed in the first wave's part) with other values, left
        // unsealed beside the third wave: that series' parts overlap in time, so the shard reads it row by row (the
        // newest version once) while the other series still answer from their headers.
        CpmPoint[] rewritten = [.. data.Where(p => p.Instance == "i1" && p.Time < t0.AddSeconds(40)).Select(p => p with { Total = p.Total + 5_000, Value = p.Value + 1_000, Version = 1L << 40 })];
        await QueryData.WriteAsync(fixture.Client, group, rewritten);
        data = [.. data.Where(p => p.Instance != "i1" || p.Time >= t0.AddSeconds(40)), .. rewritten];

        // Ranges: all of it, across the waves' blocks, one point, and two inside one wave's blocks, cut at both ends (only
        // rows read from cut blocks count there, so a MIN or MAX must not take them from a count or sum of those rows).
        foreach ((DateTimeOffset from, DateTimeOffset to) in new[] { (t0, t0.AddSeconds(179)), (t0.AddSeconds(30), t0.AddSeconds(150)), (t0.AddSeconds(61), t0.AddSeconds(61)), (t0.AddSeconds(5), t0.AddSeconds(50)), (t0.AddSeconds(125), t0.AddSeconds(170)) })
        {
            foreach ((AggregationFunction function, string field) in new[] { (AggregationFunction.Max, "total"), (AggregationFunction.Min, "total"), (AggregationFunction.Count, "total"), (AggregationFunction.Sum, "total"), (AggregationFunction.Mean, "total"), (AggregationFunction.Max, "value"), (AggregationFunction.Min, "value"), (AggregationFunction.Count, "value"), (AggregationFunction.Sum, "value"), (AggregationFunction.Mean, "value") })
            {
                MeasureV1.QueryRequest request = new()
                {
                    Groups = { group },
                    Name = MeasureName,
                    TimeRange = QueryData.Range(from, to),
                    TagProjection = QueryData.Project("default", "service"),
                    GroupBy = new MeasureV1.QueryRequest.Types.GroupBy { TagProjection = QueryData.Project("default", "service") },
                    Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = function, FieldName = field },
                };
                Dictionary<string, FieldValue> fromStatistics = Aggregates(await QueryAsync(request));
                request.Criteria = Where.Is("code", Op.Ge, Number(0));
                Dictionary<string, FieldValue> fromRows = Aggregates(await QueryAsync(request));
                CpmPoint[] inRange = [.. data.Where(p => p.Time >= from && p.Time <= to)];
                Dictionary<string, FieldValue> model = inRange.GroupBy(p => p.Service).ToDictionary(g => g.Key, g => Aggregate(g, function, field));
                string what = $"{function}({field}) over [{from:HH:mm:ss}, {to:HH:mm:ss}]";
                Assert.True(model.OrderBy(kv => kv.Key).SequenceEqual(fromStatistics.OrderBy(kv => kv.Key)), $"{what} from statistics: {string.Join(", ", fromStatistics)}");
                Assert.True(model.OrderBy(kv => kv.Key).SequenceEqual(fromRows.OrderBy(kv => kv.Key)), $"{what} from rows: {string.Join(", ", fromRows)}");

                // Without group-by tags every series falls in one group (the peer benchmark's Q2), from statistics and
                // from rows alike.
                request.GroupBy = null;
                request.Criteria = null;
                FieldValue overallFromStatistics = Assert.Single(Assert.Single((await QueryAsync(request)).DataPoints).Fields).Value;
                request.Criteria = Where.Is("code", Op.Ge, Number(0));
                FieldValue overallFromRows = Assert.Single(Assert.Single((await QueryAsync(request)).DataPoints).Fields).Value;
                Assert.Equal(Aggregate(inRange, function, field), overallFromStatistics);
                Assert.Equal(Aggregate(inRange, function, field), overallFromRows);
            }
        }

        static FieldValue Aggregate(IEnumerable<CpmPoint> points, AggregationFunction function, string field)
        {
            CpmPoint[] g = [.. points];
            return (function, field) switch
            {
                (AggregationFunction.Max, "total") => IntField(g.Max(p => p.Total)),
                (AggregationFunction.Min, "total") => IntField(g.Min(p => p.Total)),
                (AggregationFunction.Count, "total") => IntField(g.Length),
                (AggregationFunction.Sum, "total") => IntField(g.Sum(p => p.Total)),
                (AggregationFunction.Mean, "total") => IntField(g.Sum(p => p.Total) / g.Length),
                (AggregationFunction.Max, _) => FloatField(g.Max(p => p.Value)),
                (AggregationFunction.Min, _) => FloatField(g.Min(p => p.Value)),
                (AggregationFunction.Sum, _) => FloatField(g.Sum(p => p.Value)),
                (AggregationFunction.Mean, _) => FloatField(g.Sum(p => p.Value) / g.Length),
                _ => FloatField(g.Length),
            };
        }

        static Dictionary<string, FieldValue> Aggregates(MeasureV1.QueryResponse response) =>
            response.DataPoints.ToDictionary(p => p.TagFamilies[0].Tags[0].Value.Str.Value, p => Assert.Single(p.Fields).Value);
    }

    // Every shard of every segment of the group writes its memory parts to disk.
    private async Task FlushAllAsync(string group)
    {
        IGroupGrain groupGrain = fixture.Client.GetGrain<IGroupGrain>(group);
        var segments = await groupGrain.GetSegments(long.MinValue, long.MaxValue).WaitAsync(TimeSpan.FromSeconds(30));
        ShardOwners owners = await groupGrain.GetShardOwners(segments.Max(s => s.Shards.Max()) + 1).WaitAsync(TimeSpan.FromSeconds(30));
        foreach (SegmentInfo segment in segments)
        {
            foreach (int shard in segment.Shards)
            {
                await fixture.Client.CallShardAsync(new ShardGrainKey(group, segment.Start, shard), owners.OwnerOf(shard), g => g.Flush()).WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }

    [Fact]
    public async Task Entity_conditions_that_contradict_each_other_are_refused()
    {
        CpmPoint[] data = await MainAsync();
        MeasureV1.QueryRequest request = Request(data);
        request.Criteria = Where.And(Where.Eq("service", "svc-a"), Where.And(Where.Eq("instance", "i1"), Where.Eq("service", "svc-b")));
        SchemaValidationException e = await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(request));
        Assert.Equal("criteria", e.Field);
        Assert.Contains("contradict", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_answers_the_N_highest_or_lowest_points()
    {
        CpmPoint[] data = await MainAsync();
        MeasureV1.QueryRequest request = Request(data);
        request.Top = new MeasureV1.QueryRequest.Types.Top { Number = 3, FieldName = "total", FieldValueSort = Sort.Desc };
        Assert.Equal(data.Select(p => p.Total).OrderDescending().Take(3), Totals(await QueryAsync(request)));

        request.Top.FieldValueSort = Sort.Asc;
        Assert.Equal(data.Select(p => p.Total).Order().Take(3), Totals(await QueryAsync(request)));

        // A field the projection leaves out still ranks the points (unspecified sort: highest first).
        request.Top = new MeasureV1.QueryRequest.Types.Top { Number = 2, FieldName = "value" };
        request.Criteria = Where.Eq("service", "svc-a");
        Assert.Equal(data.Where(p => p.Service == "svc-a").Select(p => p.Total).OrderDescending().Take(2), Totals(await QueryAsync(request)));

        // Over groups: the group with the highest (lowest) aggregate.
        MeasureV1.QueryRequest grouped = Request(data);
        grouped.FieldProjection = null;
        grouped.TagProjection = QueryData.Project("default", "service");
        grouped.GroupBy = new MeasureV1.QueryRequest.Types.GroupBy { TagProjection = QueryData.Project("default", "service") };
        grouped.Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = AggregationFunction.Max, FieldName = "total" };
        grouped.Top = new MeasureV1.QueryRequest.Types.Top { Number = 1, FieldName = "total", FieldValueSort = Sort.Desc };
        MeasureV1.DataPoint top = Assert.Single((await QueryAsync(grouped)).DataPoints);
        Assert.Equal(("svc-b", data.Max(p => p.Total)), (top.TagFamilies[0].Tags[0].Value.Str.Value, top.Fields[0].Value.Int.Value));
        grouped.Top.FieldValueSort = Sort.Asc;
        top = Assert.Single((await QueryAsync(grouped)).DataPoints);
        Assert.Equal(("svc-a", data.Where(p => p.Service == "svc-a").Max(p => p.Total)), (top.TagFamilies[0].Tags[0].Value.Str.Value, top.Fields[0].Value.Int.Value));

        request.Top = new MeasureV1.QueryRequest.Types.Top { Number = -1, FieldName = "total" };
        Assert.Equal("top.number", (await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(request))).Field);

        // After agg a point holds only the aggregate: top must rank that field.
        grouped.Top = new MeasureV1.QueryRequest.Types.Top { Number = 1, FieldName = "value" };
        SchemaValidationException other = await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(grouped));
        Assert.Equal("top.field_name", other.Field);
        Assert.Contains("'total'", other.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_and_a_field_added_after_writing_read_as_NULL_on_older_points()
    {
        const string group = "qm-evolve";
        await Schemas.CreateAsync(fixture.Client, MeasureGroup(group));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(3));
        await QueryData.WriteAsync(fixture.Client, group, [new CpmPoint(t0, "svc-a", "i1", "eu", 200, null, 1, 0.5)]);

        Banyan.Api.Database.V1.Measure wider = Measure(group);
        wider.TagFamilies[0].Tags.Add(new Banyan.Api.Database.V1.TagSpec { Name = "zone", Type = Banyan.Api.Database.V1.TagType.String });
        wider.Fields.Add(new Banyan.Api.Database.V1.FieldSpec { Name = "extra", FieldType = Banyan.Api.Database.V1.FieldType.Int, EncodingMethod = Banyan.Api.Database.V1.EncodingMethod.Gorilla, CompressionMethod = Banyan.Api.Database.V1.CompressionMethod.Zstd });
        await fixture.Client.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey).Update(wider).WaitAsync(TimeSpan.FromSeconds(30));
        Banyan.Api.Common.V1.Metadata metadata = await Schemas.MetadataOfAsync(fixture.Client, new SchemaKey(SchemaKind.Measure, group, MeasureName));
        MeasureV1.WriteRequest newer = new CpmPoint(t0.AddMinutes(1), "svc-a", "i1", "eu", 200, null, 2, 1.5).ToRequest(1);
        newer.DataPoint.TagFamilies[0].Tags.Add(Str("z1"));
        newer.DataPoint.Fields.Add(new FieldValue { Int = new Int { Value = 77 } });
        Banyan.GrainInterfaces.Writes.WriteOutcome outcome = await fixture.Client.GetGrain<Banyan.GrainInterfaces.Writes.IMeasureGrain>(Banyan.GrainInterfaces.Writes.SubjectKey.Of(group, MeasureName))
            .Write(new Banyan.GrainInterfaces.Writes.MeasureWriteBatch(metadata, null, [newer])).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(outcome.Refusals);

        MeasureV1.QueryRequest request = new()
        {
            Groups = { group },
            Name = MeasureName,
            TimeRange = QueryData.Range(t0, t0.AddHours(1)),
            TagProjection = QueryData.Project("default", "zone"),
            FieldProjection = new() { Names = { "total", "extra" } },
        };
        MeasureV1.QueryResponse response = await QueryAsync(request);
        Assert.Equal([Null(), Str("z1")], response.DataPoints.Select(p => p.TagFamilies[0].Tags[0].Value));
        Assert.Equal([1L, 2L], response.DataPoints.Select(p => p.Fields[0].Value.Int.Value));
        Assert.Equal([new FieldValue { Null = NullValue.NullValue }, new FieldValue { Int = new Int { Value = 77 } }], response.DataPoints.Select(p => p.Fields[1].Value));
    }

    [Fact]
    public async Task A_query_of_two_groups_answers_the_points_of_both()
    {
        await Schemas.CreateAsync(fixture.Client, MeasureGroup("qm-multi-1", shards: 1));
        await Schemas.CreateAsync(fixture.Client, MeasureGroup("qm-multi-2", shards: 2));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(3));
        await QueryData.WriteAsync(fixture.Client, "qm-multi-1", [new CpmPoint(t0, "svc-a", "i1", "eu", 200, null, 1, 1), new CpmPoint(t0.AddMinutes(2), "svc-a", "i1", "eu", 200, null, 3, 3)]);
        await QueryData.WriteAsync(fixture.Client, "qm-multi-2", [new CpmPoint(t0.AddMinutes(1), "svc-a", "i1", "eu", 200, null, 2, 2)]);

        MeasureV1.QueryRequest request = new() { Groups = { "qm-multi-1", "qm-multi-2" }, Name = MeasureName, TimeRange = QueryData.Range(t0, t0.AddHours(1)), FieldProjection = new() { Names = { "total" } } };
        Assert.Equal([1L, 2L, 3L], Totals(await QueryAsync(request)));
        request.OrderBy = new QueryOrder { Sort = Sort.Desc };
        Assert.Equal([3L, 2L, 1L], Totals(await QueryAsync(request)));
    }

    private async Task<CpmPoint[]> MainAsync()
    {
        await s_seedLock.WaitAsync();
        try
        {
            if (s_main is null)
            {
                await Schemas.CreateAsync(fixture.Client, MeasureGroup(MainGroup));
                DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(1));
                List<CpmPoint> points = [];
                for (int m = 0; m < 5; m++)
                {
                    for (int s = 0; s < 4; s++)
                    {
                        string service = s < 2 ? "svc-a" : "svc-b";
                        long total = (10 * s) + m;
                        points.Add(new CpmPoint(t0.AddMinutes(m), service, s % 2 == 0 ? "i1" : "i2", service == "svc-a" ? "eu" : "us", m % 2 == 0 ? 200 : 500, m == 0 ? null : ["l" + m], total, total / 4.0));
                    }
                }

                await QueryData.WriteAsync(fixture.Client, MainGroup, points.Where(p => p.Instance == "i2"));
                await QueryData.WriteAsync(fixture.Client, MainGroup, points.Where(p => p.Instance == "i1"));
                s_main = [.. points];
            }

            return s_main;
        }
        finally
        {
            s_seedLock.Release();
        }
    }

    private static MeasureV1.QueryRequest Request(CpmPoint[] data) => new()
    {
        Groups = { MainGroup },
        Name = MeasureName,
        TimeRange = QueryData.Range(data[0].Time.AddMinutes(-1), data[^1].Time.AddMinutes(1)),
        FieldProjection = new() { Names = { "total" } },
    };

    private Task<MeasureV1.QueryResponse> QueryAsync(MeasureV1.QueryRequest request) => QueryData.QueryAsync(fixture.Client, request);

    private static List<long> Totals(MeasureV1.QueryResponse response) => [.. response.DataPoints.Select(p => p.Fields.Single(f => f.Name == "total").Value.Int.Value)];

    private static FieldValue IntField(long value) => new() { Int = new Int { Value = value } };

    private static FieldValue FloatField(double value) => new() { Float = new Float { Value = value } };
}
