using Banyan.Conformance.Running;
using Banyan.Conformance.Targets;
using Grpc.Core;
using Grpc.Net.Client;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests;

/// <summary>
/// The whole harness over real gRPC (GrpcTarget → Kestrel on 127.0.0.1) against <see cref="ReplayServer"/>: seeding,
/// request building, comparison, known-failure classification and the report. Every case passes when the server
/// answers what upstream wants, and a changed answer is caught.
/// </summary>
public sealed class HarnessEndToEndTests
{
    private static readonly ConformanceFixtures s_fixtures = ConformanceFixtures.Default;

    private static readonly ConformanceOptions s_fast = new()
    {
        EventuallyTimeout = TimeSpan.FromSeconds(2),
        PollInterval = TimeSpan.FromMilliseconds(5),
        QuickStabilityWindow = TimeSpan.FromMilliseconds(5),
        StabilityWindow = TimeSpan.FromMilliseconds(30),
        RpcTimeout = TimeSpan.FromSeconds(5),
        WriteTimeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task Every_case_passes_against_a_server_that_answers_the_wants()
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(3));
        await using ReplayServer server = await ReplayServer.StartAsync(s_fixtures, timeout.Token);
        await using ConformanceSession session = await ConformanceSession.StartAsync(
            new GrpcAddressTargetFactory("replay", server.Address), s_fixtures, KnownFailures.None, s_fast, TimeProvider.System, ["stream", "measure", "topn"], timeout.Token);
        Assert.Null(session.SeedFailure);
        Assert.Equal(session.Seed!.BaseTime, server.Book.BaseTime);
        Assert.Equal(30, server.Book.Writes);

        List<string> failures = [];
        foreach (string suite in (string[])["stream", "measure", "topn"])
        {
            foreach (Cases.ConformanceCase c in s_fixtures.Cases.Get(suite).Cases)
            {
                CaseOutcome outcome = await session.RunAsync(suite, c.Name, timeout.Token);
                if (outcome.Status != CaseStatus.Passed)
                {
                    failures.Add(outcome.Describe());
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        string report = session.RenderReport();
        Assert.Contains("| stream | 95 | 95 | 0 | 0 | 0 |", report, StringComparison.Ordinal);
        Assert.Contains("| measure | 105 | 105 | 0 | 0 | 0 |", report, StringComparison.Ordinal);
        Assert.Contains("| topn | 20 | 20 | 0 | 0 | 0 |", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_answer_fails_and_a_listed_passing_case_is_flagged()
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        await using ReplayServer server = await ReplayServer.StartAsync(s_fixtures, timeout.Token);
        server.Book.Tamper = (c, answer) =>
        {
            if (c.Name == "order desc" && answer is StreamV1.QueryResponse stream)
            {
                StreamV1.QueryResponse dropped = stream.Clone();
                dropped.Elements.RemoveAt(0);
                return dropped;
            }

            return answer;
        };
        KnownFailures known = KnownFailures.Parse("""{ "stream": { "limit": "pretend limit is broken" } }""");
        await using ConformanceSession session = await ConformanceSession.StartAsync(
            new GrpcAddressTargetFactory("replay", server.Address), s_fixtures, known, s_fast with { EventuallyTimeout = TimeSpan.FromMilliseconds(200) },
            TimeProvider.System, ["stream"], timeout.Token);

        CaseOutcome changed = await session.RunAsync("stream", "order desc", timeout.Token);
        Assert.Equal(CaseStatus.Failed, changed.Status);
        Assert.Equal(new Comparison.Difference("elements", "5 items", "4 items"), changed.Differences[0]);

        CaseOutcome listed = await session.RunAsync("stream", "limit", timeout.Token);
        Assert.Equal(CaseStatus.UnexpectedPass, listed.Status);

        string report = session.RenderReport();
        Assert.Contains("| stream | 95 | 0 | 2 | 0 | 93 |", report, StringComparison.Ordinal);
        Assert.Contains("### stream / order desc", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcTarget_surfaces_a_write_stream_the_server_ends_with_an_error()
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(1));
        await using ReplayServer server = await ReplayServer.StartAsync(s_fixtures, timeout.Token);
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
        GrpcTarget target = new(channel);

        // BanyanDB ends the stream when the first request has no metadata.
        RpcException error = await Assert.ThrowsAsync<RpcException>(() =>
            target.MeasureWriteAsync([new MeasureV1.WriteRequest { MessageId = 1, DataPoint = new MeasureV1.DataPointValue() }], timeout.Token));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);

        IReadOnlyList<MeasureV1.WriteResponse> none = await target.MeasureWriteAsync([], timeout.Token);
        Assert.Empty(none);
    }
}
