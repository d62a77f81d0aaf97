using Banyan.Api.Common.V1;
using Banyan.Grains.Queries;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Queries;

/// <summary>The spans a traced query answers: nesting, tags, times, failures and the bound on children.</summary>
public sealed class QueryTraceTests
{
    [Fact]
    public void No_trace_is_made_unless_the_request_asks_for_one()
    {
        Assert.Null(QueryTrace.StartIf(false, "measure-query", new MeasureV1.QueryRequest()));
    }

    [Fact]
    public async Task Spans_nest_with_their_tags_and_times_inside_their_parents()
    {
        QueryTrace trace = QueryTrace.StartIf(true, "measure-query", new MeasureV1.QueryRequest { Name = "cpm", Groups = { "g" } })!;
        QueryTraceSpan plan = trace.Root.Child("plan").Tag("groups", "g");
        plan.Stop();
        QueryTraceSpan read = trace.Root.Child("read group g");
        int rows = await read.Child("shard g/2026120203/0").TimeAsync(Task.Delay(20).ContinueWith(_ => 7, TaskScheduler.Default));
        read.Stop();
        trace.Root.Tag("response_data_point_count", rows);

        Trace proto = trace.ToProto();
        Assert.Equal(trace.Id, proto.TraceId);
        Assert.False(proto.Error);
        Span root = Assert.Single(proto.Spans);
        Assert.Equal("measure-query", root.Message);
        Assert.Contains(root.Tags, t => t.Key == "request" && t.Value.Contains("\"name\": \"cpm\"", StringComparison.Ordinal));
        Assert.Contains(root.Tags, t => t.Key == "response_data_point_count" && t.Value == "7");
        Assert.Equal(["plan", "read group g"], root.Children.Select(c => c.Message));
        Span shard = Assert.Single(root.Children[1].Children);
        Assert.Equal("shard g/2026120203/0", shard.Message);

        // Every span lies inside its parent, and its duration is its end minus its start.
        foreach ((Span parent, Span child) in new[] { (root, root.Children[0]), (root, root.Children[1]), (root.Children[1], shard) })
        {
            Assert.True(child.StartTime.ToDateTimeOffset() >= parent.StartTime.ToDateTimeOffset(), $"{child.Message} starts before {parent.Message}");
            Assert.True(child.EndTime.ToDateTimeOffset() <= parent.EndTime.ToDateTimeOffset(), $"{child.Message} ends after {parent.Message}");
        }

        Assert.True(shard.Duration >= 15_000_000, $"the shard span covers its 20 ms of work: {shard.Duration} ns");
        Assert.InRange(Math.Abs((shard.EndTime.ToDateTimeOffset() - shard.StartTime.ToDateTimeOffset()).Ticks * 100 - shard.Duration), 0, 1_000);
    }

    [Fact]
    public async Task A_failed_span_is_an_error_with_its_reason_and_so_is_the_trace()
    {
        QueryTrace trace = QueryTrace.StartIf(true, "stream-query", new MeasureV1.QueryRequest())!;
        QueryTraceSpan shard = trace.Root.Child("shard g/2026120203/1");
        await Assert.ThrowsAsync<TimeoutException>(() => shard.TimeAsync(Task.FromException<int>(new TimeoutException("owner slow"))));
        trace.Root.Fail(new InvalidOperationException("the query failed"));

        Trace proto = trace.ToProto();
        Assert.True(proto.Error);
        Assert.True(proto.Spans[0].Children[0].Error);
        Assert.Contains(proto.Spans[0].Children[0].Tags, t => t.Key == "error" && t.Value == "TimeoutException: owner slow");
    }

    [Fact]
    public void A_span_keeps_a_bounded_number_of_children_and_counts_the_rest()
    {
        QueryTrace trace = QueryTrace.StartIf(true, "measure-query", new MeasureV1.QueryRequest())!;
        for (int i = 0; i < QueryTrace.MaxChildren + 5; i++)
        {
            trace.Root.Child("shard " + i).Stop();
        }

        Span root = trace.ToProto().Spans[0];
        Assert.Equal(QueryTrace.MaxChildren, root.Children.Count);
        Assert.Contains(root.Tags, t => t.Key == "ignored_children" && t.Value == "5");
    }

    [Fact]
    public void A_long_request_is_cut_in_its_tag()
    {
        MeasureV1.QueryRequest request = new() { Name = new string('m', QueryTrace.MaxRequestText * 2) };
        string tag = QueryTrace.StartIf(true, "measure-query", request)!.ToProto().Spans[0].Tags.Single(t => t.Key == "request").Value;
        Assert.Equal(QueryTrace.MaxRequestText + 1, tag.Length);
        Assert.EndsWith("…", tag, StringComparison.Ordinal);
    }
}
