using Banyan.Conformance.Cases;
using Banyan.Conformance.Running;
using Banyan.Conformance.Seeding;
using Google.Protobuf;
using Grpc.Core;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests;

/// <summary>
/// The runner's polling against a scripted target, with short bounds: eventually, consistently, wantErr, wantEmpty,
/// and a target that does not answer.
/// </summary>
public sealed class CaseRunnerTests
{
    private const long B = 1_785_579_600_000;

    private static readonly ConformanceFixtures s_fixtures = ConformanceFixtures.Default;

    private static readonly ConformanceSuite s_stream = s_fixtures.Cases.Get("stream");

    private static readonly ConformanceOptions s_fast = new()
    {
        EventuallyTimeout = TimeSpan.FromMilliseconds(400),
        PollInterval = TimeSpan.FromMilliseconds(10),
        QuickStabilityWindow = TimeSpan.FromMilliseconds(30),
        StabilityWindow = TimeSpan.FromMilliseconds(60),
        RpcTimeout = TimeSpan.FromMilliseconds(200),
    };

    private static StreamV1.QueryResponse Want(string caseName) =>
        (StreamV1.QueryResponse)CaseRequests.ReadWant(s_fixtures, s_stream, s_stream.Get(caseName));

    private static Task<CaseOutcome> Run(ScriptedTarget target, string caseName, ConformanceOptions? options = null) =>
        new CaseRunner(target, s_fixtures, new BaseTime(B), options ?? s_fast, TimeProvider.System).RunAsync(s_stream, s_stream.Get(caseName), CancellationToken.None);

    private static Func<int, CancellationToken, Task<IMessage>> Answers(Func<int, IMessage> answer) => (n, _) => Task.FromResult(answer(n));

    [Fact]
    public async Task A_case_that_matches_from_the_start_passes_and_is_rechecked()
    {
        ScriptedTarget target = new() { Answer = Answers(_ => Want("all elements")) };

        CaseOutcome outcome = await Run(target, "all elements");

        Assert.Equal(CaseStatus.Passed, outcome.Status);
        Assert.True(outcome.Attempts >= 2, $"{outcome.Attempts} attempts: the stability window must query again");
        StreamV1.QueryRequest sent = Assert.IsType<StreamV1.QueryRequest>(target.Queries[0]);
        Assert.Equal(new BaseTime(B).At(0), sent.TimeRange.Begin);
        Assert.Equal(new BaseTime(B).At(3_600_000), sent.TimeRange.End);
    }

    [Fact]
    public async Task A_case_passes_once_the_writes_become_visible()
    {
        ScriptedTarget target = new() { Answer = Answers(n => n < 4 ? new StreamV1.QueryResponse() : Want("all elements")) };

        // Five polls must fit in the deadline even on a loaded machine (the first comparison JIT-compiles), so this
        // test allows seconds; the attempts, not the time, are what it checks.
        CaseOutcome outcome = await Run(target, "all elements", s_fast with { EventuallyTimeout = TimeSpan.FromSeconds(10) });

        Assert.Equal(CaseStatus.Passed, outcome.Status);
        Assert.True(outcome.Attempts > 4);
    }

    [Fact]
    public async Task A_case_that_never_matches_fails_with_the_last_differences()
    {
        ScriptedTarget target = new() { Answer = Answers(_ => new StreamV1.QueryResponse()) };

        CaseOutcome outcome = await Run(target, "all elements");

        Assert.Equal(CaseStatus.Failed, outcome.Status);
        Assert.Contains("differs from test/cases/stream/data/want/all.yaml", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("still failing after", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(new Comparison.Difference("elements", "5 items", "0 items"), outcome.Differences[0]);
        Assert.Equal("test/cases/stream/data/input/all.yaml", outcome.InputPath);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Element_ids_in_differences_name_the_written_element()
    {
        StreamV1.QueryResponse swapped = Want("all elements");
        (swapped.Elements[0].ElementId, swapped.Elements[1].ElementId) = (swapped.Elements[1].ElementId, swapped.Elements[0].ElementId);
        ScriptedTarget target = new() { Answer = Answers(_ => swapped) };
        Dictionary<string, string> written = new()
        {
            [Comparison.ElementIdHash.Of("default", "sw", "0")] = "default|sw|0",
            [Comparison.ElementIdHash.Of("default", "sw", "1")] = "default|sw|1",
        };

        CaseOutcome outcome = await new CaseRunner(target, s_fixtures, new BaseTime(B), s_fast, TimeProvider.System, written)
            .RunAsync(s_stream, s_stream.Get("all elements"), CancellationToken.None);

        Comparison.Difference first = outcome.Differences[0];
        Assert.Equal("elements[0].element_id", first.Path);
        Assert.Equal("\"0978df79cf4ed409\" (default|sw|0)", first.Expected);
        Assert.EndsWith("(default|sw|1)", first.Actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_optional_trace_check_needs_spans_on_a_traced_query()
    {
        ConformanceOptions tracing = s_fast with { CheckQueryTrace = true };
        ScriptedTarget untraced = new() { Answer = Answers(_ => Want("all elements")) };
        CaseOutcome outcome = await new CaseRunner(untraced, s_fixtures, new BaseTime(B), tracing, TimeProvider.System).RunAsync(s_stream, s_stream.Get("all elements"), CancellationToken.None);
        Assert.Equal(CaseStatus.Failed, outcome.Status);
        Assert.Equal("the query with trace: true answered no trace spans", outcome.Reason);
        Assert.True(((StreamV1.QueryRequest)untraced.Queries[^1]).Trace);

        ScriptedTarget traced = new();
        traced.Answer = (n, _) =>
        {
            StreamV1.QueryResponse response = Want("all elements");
            if (((StreamV1.QueryRequest)traced.Queries[n - 1]).Trace)
            {
                response.Trace = new Banyan.Api.Common.V1.Trace { Spans = { new Banyan.Api.Common.V1.Span { Message = "scan" } } };
            }

            return Task.FromResult<IMessage>(response);
        };
        Assert.Equal(CaseStatus.Passed, (await new CaseRunner(traced, s_fixtures, new BaseTime(B), tracing, TimeProvider.System).RunAsync(s_stream, s_stream.Get("all elements"), CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_case_that_regresses_in_the_stability_window_fails()
    {
        ScriptedTarget target = new() { Answer = Answers(n => n == 1 ? Want("all elements") : new StreamV1.QueryResponse()) };

        CaseOutcome outcome = await Run(target, "all elements");

        Assert.Equal(CaseStatus.Failed, outcome.Status);
        Assert.StartsWith("passed, then failed within the", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WantErr_passes_on_an_error_and_fails_on_an_answer()
    {
        ScriptedTarget failing = new() { Answer = (_, _) => throw new RpcException(new Status(StatusCode.InvalidArgument, "tag 'non_existent' not found")) };
        Assert.Equal(CaseStatus.Passed, (await Run(failing, "filter by non-existent tag")).Status);

        ScriptedTarget answering = new() { Answer = Answers(_ => new StreamV1.QueryResponse()) };
        CaseOutcome outcome = await Run(answering, "filter by non-existent tag");
        Assert.Equal(CaseStatus.Failed, outcome.Status);
        Assert.StartsWith("expected StreamService.Query to fail (wantErr)", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_fails_an_ordinary_case_with_its_status_after_retrying()
    {
        ScriptedTarget failing = new() { Answer = (_, _) => throw new RpcException(new Status(StatusCode.Unavailable, "shard 1 owner down")) };

        CaseOutcome outcome = await Run(failing, "all elements");

        Assert.Equal(CaseStatus.Failed, outcome.Status);
        Assert.StartsWith("StreamService.Query failed: Unavailable: shard 1 owner down (still failing after", outcome.Reason, StringComparison.Ordinal);
        Assert.True(outcome.Attempts > 1, $"{outcome.Attempts} attempts: a failing query is retried until the timeout");
    }

    [Fact]
    public async Task An_unimplemented_call_fails_an_ordinary_case_at_once_and_still_passes_a_wantErr_case()
    {
        ScriptedTarget failing = new() { Answer = (_, _) => throw new RpcException(new Status(StatusCode.Unimplemented, "not yet")) };

        CaseOutcome outcome = await Run(failing, "all elements");

        Assert.Equal(CaseStatus.Failed, outcome.Status);
        Assert.Equal("StreamService.Query failed: Unimplemented: not yet (not retried: the server does not implement the call)", outcome.Reason);
        Assert.Equal(1, outcome.Attempts);
        Assert.Equal(CaseStatus.Passed, (await Run(failing, "filter by non-existent tag")).Status);
    }

    [Fact]
    public async Task WantEmpty_needs_an_empty_answer()
    {
        ScriptedTarget empty = new() { Answer = Answers(_ => new StreamV1.QueryResponse()) };
        Assert.Equal(CaseStatus.Passed, (await Run(empty, "excludes data expired beyond TTL")).Status);

        ScriptedTarget leaking = new() { Answer = Answers(_ => Want("all elements")) };
        CaseOutcome outcome = await Run(leaking, "excludes data expired beyond TTL");
        Assert.Equal(CaseStatus.Failed, outcome.Status);
        Assert.Equal("elements", Assert.Single(outcome.Differences).Path);
    }

    [Fact]
    public async Task A_target_that_does_not_answer_is_not_taken_for_an_error()
    {
        ScriptedTarget silent = new()
        {
            Answer = async (_, cancellationToken) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                return new StreamV1.QueryResponse();
            },
        };

        CaseOutcome outcome = await Run(silent, "filter by non-existent tag");

        Assert.Equal(CaseStatus.Failed, outcome.Status);
        Assert.StartsWith("StreamService.Query gave no answer within 0.2 s", outcome.Reason, StringComparison.Ordinal);
    }
}
