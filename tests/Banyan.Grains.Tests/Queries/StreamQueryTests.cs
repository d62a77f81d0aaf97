using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static Banyan.Grains.Tests.Queries.QuerySchemas;
using Op = Banyan.Api.Model.V1.Condition.Types.BinaryOp;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Grains.Tests.Queries;

/// <summary>
/// Stream queries through <c>IStreamGrain.Query</c> on the 3-silo TestCluster, against a small known dataset and a model
/// of it: inclusive time ranges, every operator with AND/OR, projections, ordering, paging, element-id dedup, several
/// groups, schema evolution.
/// </summary>
[Collection(SharedClusterDefinition.Name)]
public sealed class StreamQueryTests(ClusterFixture fixture)
{
    private const string MainGroup = "qs-main";
    private static readonly SemaphoreSlim s_seedLock = new(1, 1);
    private static readonly string[] s_endpoints = ["GET /users/list", "POST /users/create", "GET /orders/list", "DELETE /orders/item"];
    private static readonly string[] s_regions = ["eu", "us", "ap"];
    private static LogElement[]? s_main;

    /// <summary>Criteria cases over the main dataset: the request's criteria and the model's predicate.</summary>
    private static readonly Dictionary<string, (Criteria Criteria, Func<LogElement, bool> Expected)> s_cases = new()
    {
        ["EQ"] = (Where.Eq("region", "eu"), e => e.Region == "eu"),
        ["NE"] = (Where.Is("region", Op.Ne, Str("eu")), e => e.Region != "eu"),
        ["LT"] = (Where.Is("duration", Op.Lt, Number(40)), e => e.Duration < 40),
        ["GT"] = (Where.Is("duration", Op.Gt, Number(40)), e => e.Duration > 40),
        ["LE"] = (Where.Is("duration", Op.Le, Number(40)), e => e.Duration <= 40),
        ["GE"] = (Where.Is("duration", Op.Ge, Number(40)), e => e.Duration >= 40),
        ["IN"] = (Where.Is("region", Op.In, Strs("eu", "ap")), e => e.Region is "eu" or "ap"),
        ["NOT_IN"] = (Where.Is("region", Op.NotIn, Strs("eu", "ap")), e => e.Region is not ("eu" or "ap")),
        ["NOT_IN int"] = (Where.Is("duration", Op.NotIn, Ints(0, 10, 110)), e => e.Duration is not (0 or 10 or 110)),
        ["HAVING one"] = (Where.Is("labels", Op.Having, Strs("slow")), e => e.Labels.Contains("slow")),
        ["HAVING all"] = (Where.Is("labels", Op.Having, Strs("slow", "db")), e => e.Labels.Contains("slow") && e.Labels.Contains("db")),
        ["HAVING int"] = (Where.Is("codes", Op.Having, Ints(500)), e => e.Codes?.Contains(500) == true),
        ["NOT_HAVING"] = (Where.Is("labels", Op.NotHaving, Strs("slow")), e => !e.Labels.Contains("slow")),
        ["MATCH"] = (Where.Match("endpoint", "users"), e => e.Endpoint.Contains("users", StringComparison.Ordinal)),
        ["MATCH any token"] = (Where.Match("endpoint", "Users LIST"), e => e.Endpoint.Contains("users", StringComparison.Ordinal) || e.Endpoint.Contains("list", StringComparison.Ordinal)),
        ["MATCH every token"] = (Where.Match("endpoint", "Users LIST", all: true), e => e.Endpoint.Contains("users", StringComparison.Ordinal) && e.Endpoint.Contains("list", StringComparison.Ordinal)),
        ["entity EQ"] = (Where.Eq("service", "svc-a"), e => e.Service == "svc-a"),
        ["entity IN"] = (Where.Is("instance", Op.In, Strs("inst-0", "inst-2")), e => e.Instance is "inst-0" or "inst-2"),
        ["entity AND"] = (Where.And(Where.Eq("service", "svc-a"), Where.Eq("instance", "inst-0")), e => e.Service == "svc-a" && e.Instance == "inst-0"),
        ["entity OR"] = (Where.Or(Where.Eq("service", "svc-a"), Where.Eq("instance", "inst-1")), e => e.Service == "svc-a" || e.Instance == "inst-1"),
        ["entity contradiction"] = (Where.And(Where.Eq("service", "svc-a"), Where.Eq("service", "svc-b")), e => false),
        ["AND"] = (Where.And(Where.Eq("service", "svc-b"), Where.Is("duration", Op.Gt, Number(50))), e => e.Service == "svc-b" && e.Duration > 50),
        ["OR"] = (Where.Or(Where.Eq("region", "eu"), Where.Is("duration", Op.Ge, Number(100))), e => e.Region == "eu" || e.Duration >= 100),
        ["nested"] = (
            Where.And(Where.Or(Where.Eq("region", "us"), Where.Eq("region", "ap")), Where.And(Where.Is("labels", Op.Having, Strs("slow")), Where.Eq("instance", "inst-0"))),
            e => e.Region is "us" or "ap" && e.Labels.Contains("slow") && e.Instance == "inst-0"),
    };

    public static TheoryData<string> CaseNames() => [.. s_cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Criteria_select_what_the_model_selects(string name)
    {
        LogElement[] data = await MainAsync();
        (Criteria criteria, Func<LogElement, bool> expected) = s_cases[name];
        StreamV1.QueryResponse response = await QueryAsync(Request(data, criteria));
        List<string> want = [.. data.Where(expected).Select(e => e.Id)];
        Assert.True(want.Count < data.Length, $"case {name} should not select everything");
        Assert.Equal(want, Ids(data, response));
    }

    [Fact]
    public async Task The_time_range_is_inclusive_at_both_ends()
    {
        LogElement[] data = await MainAsync();
        StreamV1.QueryRequest request = Request(data);
        request.TimeRange = QueryData.Range(data[3].Time, data[7].Time);
        Assert.Equal(["e3", "e4", "e5", "e6", "e7"], Ids(data, await QueryAsync(request)));

        // One nanosecond inside each end drops it.
        request.TimeRange.Begin = new Timestamp { Seconds = request.TimeRange.Begin.Seconds, Nanos = request.TimeRange.Begin.Nanos + 1 };
        request.TimeRange.End = Timestamp.FromDateTimeOffset(data[7].Time.AddTicks(-1));
        Assert.Equal(["e4", "e5", "e6"], Ids(data, await QueryAsync(request)));

        request.TimeRange = QueryData.Range(data[5].Time, data[5].Time);
        Assert.Equal(["e5"], Ids(data, await QueryAsync(request)));

        request.TimeRange = QueryData.Range(data[5].Time, data[4].Time);
        Assert.Empty((await QueryAsync(request)).Elements);

        // No time range: everything.
        request.TimeRange = null;
        Assert.Equal(data.Length, (await QueryAsync(request)).Elements.Count);
    }

    [Fact]
    public async Task Projection_keeps_the_request_order_and_answers_NULL_VALUE_for_a_missing_tag()
    {
        LogElement[] data = await MainAsync();
        StreamV1.QueryRequest request = Request(data);
        request.Projection = new TagProjection
        {
            TagFamilies =
            {
                new TagProjection.Types.TagFamily { Name = "data", Tags = { "body" } },
                new TagProjection.Types.TagFamily { Name = "searchable", Tags = { "codes", "duration", "service", "labels" } },
            },
        };
        StreamV1.QueryResponse response = await QueryAsync(request);
        Assert.Equal(data.Length, response.Elements.Count);
        for (int i = 0; i < data.Length; i++)
        {
            LogElement e = data[i];
            StreamV1.Element element = response.Elements[i];
            Assert.Equal(Timestamp.FromDateTimeOffset(e.Time), element.Timestamp);
            Assert.Equal(Banyan.Storage.Series.StreamElementId.Format(MainGroup, StreamName, e.Id), element.ElementId);
            Assert.Equal(["data", "searchable"], element.TagFamilies.Select(f => f.Name));
            Assert.Equal(["body"], element.TagFamilies[0].Tags.Select(t => t.Key));
            Assert.Equal(ByteString.CopyFromUtf8("body of " + e.Id), element.TagFamilies[0].Tags[0].Value.BinaryData);
            Assert.Equal(["codes", "duration", "service", "labels"], element.TagFamilies[1].Tags.Select(t => t.Key));
            Assert.Equal(e.Codes is null ? Null() : Ints(e.Codes), element.TagFamilies[1].Tags[0].Value);
            Assert.Equal(Number(e.Duration), element.TagFamilies[1].Tags[1].Value);
            Assert.Equal(Str(e.Service), element.TagFamilies[1].Tags[2].Value);
            Assert.Equal(Strs(e.Labels), element.TagFamilies[1].Tags[3].Value);
        }

        // Without a projection an element has no tag family.
        Assert.All((await QueryAsync(new StreamV1.QueryRequest { Groups = { MainGroup }, Name = StreamName, TimeRange = request.TimeRange })).Elements, e => Assert.Empty(e.TagFamilies));
    }

    [Fact]
    public async Task Elements_are_ordered_by_time_or_by_an_indexed_tag_either_way()
    {
        LogElement[] data = await MainAsync();
        StreamV1.QueryRequest request = Request(data);
        Assert.Equal(data.Select(e => e.Id), Ids(data, await QueryAsync(request), sorted: false));

        request.OrderBy = new QueryOrder { Sort = Sort.Desc };
        Assert.Equal(data.Reverse().Select(e => e.Id), Ids(data, await QueryAsync(request), sorted: false));

        request.OrderBy = new QueryOrder { IndexRuleName = DurationRule, Sort = Sort.Asc };
        Assert.Equal(data.OrderBy(e => e.Duration).Select(e => e.Id), Ids(data, await QueryAsync(request), sorted: false));

        request.OrderBy = new QueryOrder { IndexRuleName = DurationRule, Sort = Sort.Desc };
        request.Limit = 3;
        Assert.Equal(data.OrderByDescending(e => e.Duration).Take(3).Select(e => e.Id), Ids(data, await QueryAsync(request), sorted: false));

        // With criteria: the order applies to what they select.
        request.Criteria = Where.Eq("service", "svc-b");
        Assert.Equal(data.Where(e => e.Service == "svc-b").OrderByDescending(e => e.Duration).Take(3).Select(e => e.Id), Ids(data, await QueryAsync(request), sorted: false));

        request.OrderBy = new QueryOrder { IndexRuleName = "no_such_rule" };
        SchemaValidationException e = await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(request));
        Assert.Equal("order_by.index_rule_name", e.Field);
    }

    [Fact]
    public async Task Offset_and_limit_page_in_order_with_20_elements_by_default()
    {
        const string group = "qs-page";
        await Schemas.CreateAsync(fixture.Client, StreamGroup(group));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(2));
        LogElement[] data = [.. Enumerable.Range(0, 25).Select(i => Element(i, t0))];
        await QueryData.WriteAsync(fixture.Client, group, data.Reverse());

        StreamV1.QueryRequest request = new() { Groups = { group }, Name = StreamName, TimeRange = QueryData.Range(t0, t0.AddHours(1)), Projection = QueryData.Project("searchable", "duration") };
        Assert.Equal(data.Take(20).Select(e => e.Id), Ids(data, await QueryAsync(request), sorted: false));

        request.Offset = 5;
        request.Limit = 3;
        Assert.Equal(["e5", "e6", "e7"], Ids(data, await QueryAsync(request), sorted: false));

        request.Offset = 22;
        request.Limit = 0;
        Assert.Equal(["e22", "e23", "e24"], Ids(data, await QueryAsync(request), sorted: false));

        request.Offset = 25;
        Assert.Empty((await QueryAsync(request)).Elements);

        request.Offset = 0;
        request.Limit = 100;
        Assert.Equal(25, (await QueryAsync(request)).Elements.Count);

        request.OrderBy = new QueryOrder { Sort = Sort.Desc };
        request.Limit = 2;
        request.Offset = 1;
        Assert.Equal(["e23", "e22"], Ids(data, await QueryAsync(request), sorted: false));
    }

    [Fact]
    public async Task An_element_sent_again_is_answered_once_and_distinct_elements_at_the_same_time_are_all_kept()
    {
        const string group = "qs-dedup";
        await Schemas.CreateAsync(fixture.Client, StreamGroup(group));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(2));
        LogElement one = Element(1, t0);
        LogElement twin = one with { Id = "twin" }; // same series and time, another element id
        await QueryData.WriteAsync(fixture.Client, group, [one, one, twin]);
        await QueryData.WriteAsync(fixture.Client, group, [one]);

        StreamV1.QueryResponse response = await QueryAsync(new StreamV1.QueryRequest { Groups = { group }, Name = StreamName, TimeRange = QueryData.Range(one.Time, one.Time), Projection = QueryData.Project("data", "body") });
        Assert.Equal(2, response.Elements.Count);
        Assert.Equal(["body of e1", "body of twin"], response.Elements.Select(e => e.TagFamilies[0].Tags[0].Value.BinaryData.ToStringUtf8()).Order());
        Assert.Equal(new[] { "e1", "twin" }.Select(id => Banyan.Storage.Series.StreamElementId.Format(group, StreamName, id)).Order(), response.Elements.Select(e => e.ElementId).Order());
    }

    [Fact]
    public async Task A_query_of_several_groups_merges_them_in_order_and_reads_a_group_named_twice_once()
    {
        await Schemas.CreateAsync(fixture.Client, StreamGroup("qs-multi-1", shards: 1));
        await Schemas.CreateAsync(fixture.Client, StreamGroup("qs-multi-2", shards: 3));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(2));
        LogElement[] data = [.. Enumerable.Range(0, 8).Select(i => Element(i, t0))];
        await QueryData.WriteAsync(fixture.Client, "qs-multi-1", data.Where(e => e.Duration % 20 == 0));
        await QueryData.WriteAsync(fixture.Client, "qs-multi-2", data.Where(e => e.Duration % 20 != 0));

        StreamV1.QueryRequest request = new() { Groups = { "qs-multi-1", "qs-multi-2", "qs-multi-1" }, Name = StreamName, TimeRange = QueryData.Range(t0, t0.AddHours(1)), Projection = QueryData.Project("searchable", "duration") };
        Assert.Equal(data.Select(e => e.Id), Ids(data, await QueryAsync(request), sorted: false));

        request.Criteria = Where.Is("duration", Op.Ge, Number(40));
        request.OrderBy = new QueryOrder { IndexRuleName = DurationRule, Sort = Sort.Asc };
        Assert.Equal(data.Where(e => e.Duration >= 40).OrderBy(e => e.Duration).Select(e => e.Id), Ids(data, await QueryAsync(request), sorted: false));

        request.Groups.Add("qs-no-such-group");
        SchemaNotFoundException missing = await Assert.ThrowsAsync<SchemaNotFoundException>(() => QueryAsync(request));
        Assert.Contains("qs-no-such-group", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_added_to_the_schema_after_writing_reads_as_NULL_VALUE_on_older_elements()
    {
        const string group = "qs-evolve";
        await Schemas.CreateAsync(fixture.Client, StreamGroup(group));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(2));
        await QueryData.WriteAsync(fixture.Client, group, [Element(0, t0), Element(1, t0)]);

        Banyan.Api.Database.V1.Stream wider = Stream(group);
        wider.TagFamilies[0].Tags.Add(new Banyan.Api.Database.V1.TagSpec { Name = "zone", Type = Banyan.Api.Database.V1.TagType.String });
        await fixture.Client.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey).Update(wider).WaitAsync(TimeSpan.FromSeconds(30));
        StreamV1.WriteRequest newer = Element(2, t0).ToRequest(1);
        newer.Element.TagFamilies[0].Tags.Add(Str("z1"));
        Banyan.Api.Common.V1.Metadata metadata = await Schemas.MetadataOfAsync(fixture.Client, new SchemaKey(SchemaKind.Stream, group, StreamName));
        Banyan.GrainInterfaces.Writes.WriteOutcome outcome = await fixture.Client.GetGrain<Banyan.GrainInterfaces.Writes.IStreamGrain>(Banyan.GrainInterfaces.Writes.SubjectKey.Of(group, StreamName))
            .Write(new Banyan.GrainInterfaces.Writes.StreamWriteBatch(metadata, [], [newer])).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(outcome.Refusals);

        StreamV1.QueryRequest request = new() { Groups = { group }, Name = StreamName, TimeRange = QueryData.Range(t0, t0.AddHours(1)), Projection = QueryData.Project("searchable", "duration", "zone") };
        StreamV1.QueryResponse response = await QueryAsync(request);
        Assert.Equal([Null(), Null(), Str("z1")], response.Elements.Select(e => e.TagFamilies[0].Tags[1].Value));
        Assert.Equal([Number(0), Number(70), Number(20)], response.Elements.Select(e => e.TagFamilies[0].Tags[0].Value));

        request.Criteria = Where.Eq("zone", "z1");
        Assert.Equal([Number(20)], (await QueryAsync(request)).Elements.Select(e => e.TagFamilies[0].Tags[0].Value));
    }

    [Fact]
    public async Task Bad_requests_are_refused_naming_the_field()
    {
        LogElement[] data = await MainAsync();
        StreamV1.QueryRequest request = Request(data);
        request.Projection = QueryData.Project("searchable", "duration", "nope");
        SchemaValidationException projection = await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(request));
        Assert.Equal("projection.tag_families[0].tags[1]", projection.Field);
        Assert.Contains("tag 'nope' is not declared in tag family 'searchable'", projection.Reason, StringComparison.Ordinal);

        request.Projection = QueryData.Project("data", "duration"); // a declared tag in the wrong family
        Assert.Equal("projection.tag_families[0].tags[0]", (await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(request))).Field);

        request.Projection = null;
        request.Criteria = Where.And(Where.Eq("region", "eu"), Where.Is("duration", Op.Eq, Str("ten")));
        SchemaValidationException criteria = await Assert.ThrowsAsync<SchemaValidationException>(() => QueryAsync(request));
        Assert.Equal("criteria.le.right.condition.value", criteria.Field);

        SchemaNotFoundException stream = await Assert.ThrowsAsync<SchemaNotFoundException>(() => QueryAsync(new StreamV1.QueryRequest { Groups = { MainGroup }, Name = "no_such_stream" }));
        Assert.Contains("no_such_stream", stream.Message, StringComparison.Ordinal);
    }

    internal static LogElement Element(int i, DateTimeOffset t0) => new(
        "e" + i,
        t0.AddSeconds(i),
        i % 2 == 0 ? "svc-a" : "svc-b",
        "inst-" + (i % 3),
        s_endpoints[i % 4],
        s_regions[i / 2 % 3],
        i * 7 % 12 * 10,
        (i % 3) switch { 0 => ["slow", "db"], 1 => ["fast"], _ => ["slow"] },
        i % 2 == 0 ? [200 + i, 500] : null);

    private async Task<LogElement[]> MainAsync()
    {
        await s_seedLock.WaitAsync();
        try
        {
            if (s_main is null)
            {
                await Schemas.CreateAsync(fixture.Client, StreamGroup(MainGroup));
                DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(1));
                LogElement[] data = [.. Enumerable.Range(0, 12).Select(i => Element(i, t0))];
                await QueryData.WriteAsync(fixture.Client, MainGroup, data.Where((_, i) => i % 2 == 1));
                await QueryData.WriteAsync(fixture.Client, MainGroup, data.Where((_, i) => i % 2 == 0));
                s_main = data;
            }

            return s_main;
        }
        finally
        {
            s_seedLock.Release();
        }
    }

    private static StreamV1.QueryRequest Request(LogElement[] data, Criteria? criteria = null) => new()
    {
        Groups = { MainGroup },
        Name = StreamName,
        TimeRange = QueryData.Range(data[0].Time.AddMinutes(-1), data[^1].Time.AddMinutes(1)),
        Criteria = criteria,
        Projection = QueryData.Project("searchable", "duration"),
        Limit = 100,
    };

    private Task<StreamV1.QueryResponse> QueryAsync(StreamV1.QueryRequest request) => QueryData.QueryAsync(fixture.Client, request);

    // The ids of the answered elements, found by their unique duration (the first projected tag); by id unless in answer order.
    private static List<string> Ids(LogElement[] data, StreamV1.QueryResponse response, bool sorted = true)
    {
        List<string> ids = [.. response.Elements.Select(e => data.Single(d => d.Duration == e.TagFamilies[0].Tags[0].Value.Int.Value && Timestamp.FromDateTimeOffset(d.Time) == e.Timestamp).Id)];
        return sorted ? [.. ids.OrderBy(id => int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture))] : ids;
    }
}
