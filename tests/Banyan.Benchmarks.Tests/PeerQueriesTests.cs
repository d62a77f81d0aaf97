using Banyan.Api.Measure.V1;
using Banyan.Api.Model.V1;
using Banyan.Benchmarks.Load;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Banyan.Benchmarks.Tests;

/// <summary>
/// The load generator's timed queries: a run completes when the answer's bytes are in, and the check it hands back
/// parses them afterwards and compares them with the dataset, so a wrong answer is still caught though the parse is no
/// longer timed. Against a gRPC server on loopback that answers Q1 from the dataset, right or with one value changed.
/// </summary>
public sealed class PeerQueriesTests
{
    private static readonly PeerDataset s_dataset = new(series: 6, points: 12);

    [Fact]
    public async Task A_right_Q1_answer_checks_out()
    {
        await using Q1Server server = await Q1Server.StartAsync(wrongPoint: null);
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));
        Func<Task<AnswerCheck>> run = new PeerQueries(s_dataset).Runner(channel, "Q1", bound.Token)!;

        AnswerCheck check = await run();

        Assert.Null(check());
        Assert.Equal(1, server.Calls);
    }

    [Fact]
    public async Task A_wrong_Q1_answer_is_named_by_the_check_that_runs_after_the_timer()
    {
        await using Q1Server server = await Q1Server.StartAsync(wrongPoint: 5);
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));
        Func<Task<AnswerCheck>> run = new PeerQueries(s_dataset).Runner(channel, "Q1", bound.Token)!;

        AnswerCheck check = await run();
        string? problem = check();

        Assert.NotNull(problem);
        Assert.StartsWith("point 5:", problem, StringComparison.Ordinal);
        Assert.False(PeerQueries.IsRight(problem));
    }

    [Fact]
    public async Task A_wrong_answer_in_any_timed_run_fails_the_query_and_names_the_run()
    {
        // Right in the warm-up and the first two timed runs, wrong in the third: only checking the first run would pass it.
        await using Q1Server server = await Q1Server.StartAsync(wrongPoint: 5, wrongFromCall: 4);
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));

        IReadOnlyList<PeerQueryResult> results = await new PeerQueries(s_dataset).RunAsync(channel, server.Address, warmup: 1, runs: 4, bound.Token, only: new HashSet<string> { "Q1" });

        PeerQueryResult q1 = Assert.Single(results);
        Assert.Equal("Q1", q1.Name);
        Assert.Equal(4, q1.Milliseconds.Count);
        Assert.False(q1.Correct);
        Assert.StartsWith("run 3: point 5:", q1.Detail, StringComparison.Ordinal);
        Assert.Equal(5, server.Calls);
    }

    [Fact]
    public async Task Right_answers_in_every_timed_run_pass()
    {
        await using Q1Server server = await Q1Server.StartAsync(wrongPoint: null);
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));

        PeerQueryResult q1 = Assert.Single(await new PeerQueries(s_dataset).RunAsync(channel, server.Address, warmup: 0, runs: 3, bound.Token, only: new HashSet<string> { "Q1" }));

        Assert.True(q1.Correct, q1.Detail);
        Assert.Equal(3, q1.Milliseconds.Count);
    }

    [Fact]
    public async Task The_gateway_variant_checks_every_answer_after_its_timer()
    {
        // The gateway's JSON answer (protojson, as the silo's HTTP gateway writes it), right twice, then one value off.
        int calls = 0;
        await using LoopbackGrpcServer gateway = await LoopbackGrpcServer.StartAsync(
            _ => { },
            endpoints => endpoints.MapPost("/api/v1/measure/data", () => Results.Text(
                JsonFormatter.Default.Format(Q1Answer(Interlocked.Increment(ref calls) >= 3 ? 7 : null)), "application/json")),
            HttpProtocols.Http1);
        using GrpcChannel unused = GrpcChannel.ForAddress("http://127.0.0.1:1");
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));

        PeerQueryResult q1 = Assert.Single(await new PeerQueries(s_dataset).RunAsync(unused, gateway.Address, warmup: 0, runs: 3, bound.Token, only: new HashSet<string> { "Q1 http" }));

        Assert.Equal("Q1 http", q1.Name);
        Assert.Equal(3, q1.Milliseconds.Count);
        Assert.False(q1.Correct);
        Assert.StartsWith("run 3: point 7:", q1.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_query_has_no_runner()
    {
        using GrpcChannel channel = GrpcChannel.ForAddress("http://127.0.0.1:1");
        Assert.Null(new PeerQueries(s_dataset).Runner(channel, "Q9", CancellationToken.None));
    }

    // MeasureService answering every query with Q1's series (the gauge of entity 0), one value off at wrongPoint from
    // call wrongFromCall on.
    private sealed class Q1Service(Q1Server server) : MeasureService.MeasureServiceBase
    {
        public override Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
        {
            int call = server.CountCall();
            return Task.FromResult(Q1Answer(call >= server.WrongFromCall ? server.WrongPoint : null));
        }
    }

    // Q1's answer from the dataset, one value off at wrongPoint when it is given.
    private static QueryResponse Q1Answer(int? wrongPoint)
    {
        QueryResponse response = new();
        for (int i = 0; i < s_dataset.Points; i++)
        {
            long ms = s_dataset.TimestampMs(i);
            double value = s_dataset.Value(1, i) + (i == wrongPoint ? 1 : 0);
            response.DataPoints.Add(new DataPoint
            {
                Timestamp = new Timestamp { Seconds = ms / 1000, Nanos = (int)(ms % 1000) * 1_000_000 },
                Fields = { new DataPoint.Types.Field { Name = "value", Value = new FieldValue { Float = new Float { Value = value } } } },
            });
        }

        return response;
    }

    private sealed class Q1Server : IAsyncDisposable
    {
        private LoopbackGrpcServer? _server;
        private int _calls;

        public int? WrongPoint { get; private init; }

        // The first call (1-based) answered with the wrong point; the calls before it are right.
        public int WrongFromCall { get; private init; } = 1;

        public int Calls => Volatile.Read(ref _calls);

        public Uri Address => _server!.Address;

        public int CountCall() => Interlocked.Increment(ref _calls);

        public static async Task<Q1Server> StartAsync(int? wrongPoint, int wrongFromCall = 1)
        {
            Q1Server server = new() { WrongPoint = wrongPoint, WrongFromCall = wrongFromCall };
            server._server = await LoopbackGrpcServer.StartAsync<Q1Service, Q1Server>(server);
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
