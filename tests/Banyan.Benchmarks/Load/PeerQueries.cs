using System.Diagnostics;
using System.Globalization;
using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Banyan.Api.Model.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Banyan.Benchmarks.Load;

/// <summary>Latencies and the correctness check of one peer query.</summary>
/// <param name="Name">Q1, Q2, Q3 (gRPC), "Q1 http"… (the HTTP gateway), TopN, or the gRPC floor ("Floor", "Floor x24").</param>
/// <param name="Milliseconds">Every timed run, in run order.</param>
/// <param name="Correct">Whether every timed run's answer matched the dataset.</param>
/// <param name="Detail">What was compared (the first run's check), or the first wrong answer.</param>
/// <param name="ServerCpuMs">CPU time of the server per timed run (all its threads), when the caller can sample it; else NaN.</param>
/// <param name="ClientCpuMs">CPU time of this process (the client) per timed run.</param>
public sealed record PeerQueryResult(string Name, IReadOnlyList<double> Milliseconds, bool Correct, string Detail, double ServerCpuMs = double.NaN, double ClientCpuMs = double.NaN)
{
    /// <summary>The median latency.</summary>
    public double Median => Percentile(0.5);

    /// <summary>The 99th percentile latency (nearest rank; with fewer than 100 runs, the slowest run).</summary>
    public double P99 => Percentile(0.99);

    private double Percentile(double p)
    {
        double[] sorted = [.. Milliseconds.Order()];
        if (sorted.Length == 0)
        {
            return 0; // not run (the server does not serve the query): Correct is false and Detail says why
        }

        if (p == 0.5)
        {
            int mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }

        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>
/// A query's answer as it arrived, its bytes not parsed yet: calling it parses the answer and checks it against the
/// dataset (null, or a text starting "ok", when it is right; what differs otherwise). The runs are timed until the bytes
/// are in and checked after the timer, as <c>bench.py</c> times VictoriaMetrics' answers (it parses their JSON only to
/// check them).
/// </summary>
/// <returns>Null or "ok…" when the answer is right; what differs otherwise.</returns>
public delegate string? AnswerCheck();

/// <summary>
/// The peer benchmark's three queries (<c>shared/bench/peers/bench.py</c>, Q1–Q3) as BanyanDB measure queries over
/// <c>MeasureService/Query</c>, each answer checked against the dataset:
/// <list type="bullet">
/// <item>Q1, raw points of one series (<c>instance_cpu_percent</c> of entity 0) over the hour: criteria on the three
/// entity tags, field projection <c>value</c>, limit N. Checked point by point (timestamp and value).</item>
/// <item>Q2, mean of <c>endpoint_resp_time_ms</c> per 5-minute bucket for service 0: BanyanDB's query has no time
/// buckets and its MEAN of an int field truncates (Go's integer division), so each bucket is a SUM and a COUNT query
/// with criteria <c>service_id</c> over the bucket's time range; the 2 × 12 requests are sent at once and the latency
/// is until the last answer. Checked: each bucket's mean (relative 1e-9, as bench.py) and count.</item>
/// <item>Q3, top-10 <c>endpoint_id</c> by max <c>endpoint_resp_time_ms</c> over the hour: <c>group_by endpoint_id</c>,
/// <c>agg MAX(value)</c>, <c>top 10 DESC</c>, tag projection <c>endpoint_id</c>. Checked: the ten values (the ids too,
/// reported apart because ties may order differently, as bench.py does).</item>
/// </list>
/// </summary>
public sealed class PeerQueries(PeerDataset dataset)
{
    private const long BucketMs = 300_000;
    private const int Q1Series = 1; // gen.py: the gauge of entity 0

    // The expected answers, computed from the dataset once: each timed run checks its answer, and computing Q3's or
    // TopN's expectation reads all 1.2 M latency values (about 60 ms), which the timings included until 2026-12-02.
    private (double[] Sums, long[] Counts)? _expectedQ2;
    private List<(string Endpoint, long Max)>? _expectedQ3;
    private List<long>? _expectedTopN;

    /// <summary>
    /// Runs <paramref name="names"/> (of Q1, Q2, Q3, over gRPC) in turn, untimed, until <paramref name="duration"/> has
    /// passed; returns the rounds run. A wrong answer fails it: the figures after it would not mean anything.
    /// </summary>
    public async Task<int> KeepBusyAsync(GrpcChannel channel, TimeSpan duration, IReadOnlySet<string> names, CancellationToken cancellationToken)
    {
        List<(string Name, Func<Task<AnswerCheck>> Run)> queries = [.. PeerQueriesThrough(RawGrpc(channel), string.Empty, cancellationToken).Where(q => names.Contains(q.Name))];
        if (queries.Count == 0)
        {
            return 0;
        }

        long start = Stopwatch.GetTimestamp();
        int rounds = 0;
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            foreach ((string name, Func<Task<AnswerCheck>> run) in queries)
            {
                if ((await run())() is { } problem && !IsRightAnswer(problem))
                {
                    throw new InvalidOperationException($"{name} answered wrong while warming up: {problem}");
                }
            }

            rounds++;
        }

        return rounds;
    }

    /// <summary>
    /// Runs each query <paramref name="warmup"/> times untimed, then <paramref name="runs"/> times timed, over gRPC
    /// (<c>MeasureService/Query</c>, results named Q1–Q3, <c>MeasureService/TopN</c>, named TopN, and the floor of a
    /// unary call, <c>GetAPIVersion</c>, named "Floor" and "Floor x24") and over the HTTP
    /// gateway at <paramref name="http"/> (<c>POST /api/v1/measure/data</c> with protojson, named "Q1 http"…; the same
    /// answers, checked the same way). Only the queries named in <paramref name="only"/> when it is given.
    /// <paramref name="serverCpuSeconds"/>, when given, reads the server's CPU time so far: each query's timed runs
    /// then report the server's and this process's CPU per run (where a request's time goes: serving, or the client's
    /// own work and waiting).
    /// </summary>
    public async Task<IReadOnlyList<PeerQueryResult>> RunAsync(GrpcChannel channel, Uri http, int warmup, int runs, CancellationToken cancellationToken, IReadOnlySet<string>? only = null, Func<double>? serverCpuSeconds = null)
    {
        CallInvoker invoker = channel.CreateCallInvoker();
        Query grpc = RawGrpc(channel);
        using HttpClient httpClient = new() { BaseAddress = http, Timeout = TimeSpan.FromMinutes(5) };
        Query gateway = (request, token) => HttpQueryAsync(httpClient, request, token);
        List<PeerQueryResult> results = [];
        foreach ((string name, Func<Task<AnswerCheck>> query) in PeerQueriesThrough(grpc, string.Empty, cancellationToken)
            .Concat(PeerQueriesThrough(gateway, " http", cancellationToken))
            .Concat(new (string, Func<Task<AnswerCheck>>)[]
        {
            ("TopN", () => TopNAsync(invoker, cancellationToken)),
            ("Floor", () => FloorAsync(invoker, 1, cancellationToken)),
            ("Floor x24", () => FloorAsync(invoker, 24, cancellationToken)),
        }).Where(q => only is null || only.Contains(q.Item1)))
        {
            try
            {
                for (int i = 0; i < warmup; i++)
                {
                    (await query())();
                }
            }
            catch (RpcException e)
            {
                results.Add(new PeerQueryResult(name, [], false, $"not served: {e.Status.StatusCode} {e.Status.Detail}"));
                continue;
            }

            List<double> times = [];
            string? first = null;
            string? wrong = null;
            double server0 = serverCpuSeconds?.Invoke() ?? double.NaN;
            TimeSpan client0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < runs; i++)
            {
                // Timed until the answer's bytes are in, as bench.py times VictoriaMetrics' (its JSON is parsed only
                // for the check); every answer is then parsed and checked, untimed.
                long start = Stopwatch.GetTimestamp();
                AnswerCheck check = await query();
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                string? result = check();
                if (i == 0)
                {
                    first = result;
                }

                if (!IsRight(result))
                {
                    wrong ??= $"run {i + 1}: {result}";
                }
            }

            double serverMs = ((serverCpuSeconds?.Invoke() ?? double.NaN) - server0) * 1e3 / Math.Max(1, runs);
            double clientMs = (Process.GetCurrentProcess().TotalProcessorTime - client0).TotalMilliseconds / Math.Max(1, runs);
            results.Add(new PeerQueryResult(name, times, wrong is null, wrong ?? first ?? "ok", serverMs, clientMs));
        }

        return results;
    }

    /// <summary>
    /// One run of the query named <paramref name="name"/> (Q1, Q2, Q3 or TopN) over gRPC on <paramref name="channel"/>:
    /// completes when the answer's bytes are in, with the check that parses them (null or "ok…" when the answer is
    /// right), for the caller to run after its timer. Null when there is no such query.
    /// </summary>
    public Func<Task<AnswerCheck>>? Runner(GrpcChannel channel, string name, CancellationToken cancellationToken)
    {
        if (name == "TopN")
        {
            CallInvoker invoker = channel.CreateCallInvoker();
            return () => TopNAsync(invoker, cancellationToken);
        }

        return PeerQueriesThrough(RawGrpc(channel), string.Empty, cancellationToken).Where(q => q.Name == name).Select(q => q.Run).FirstOrDefault();
    }

    /// <summary>Whether a query's check (<see cref="Runner"/>) says its answer is right.</summary>
    public static bool IsRight(string? check) => check is null || IsRightAnswer(check);

    // Q1-Q3 through one client (gRPC or the HTTP gateway), named "Q1" + suffix...
    private IEnumerable<(string Name, Func<Task<AnswerCheck>> Run)> PeerQueriesThrough(Query client, string suffix, CancellationToken cancellationToken) =>
    [
        ("Q1" + suffix, () => Q1Async(client, cancellationToken)),
        ("Q2" + suffix, () => Q2Async(client, cancellationToken)),
        ("Q3" + suffix, () => Q3Async(client, cancellationToken)),
    ];

    // A query's check: null or "ok: …" (Q3's ten values right, its tied ids in another order) is a right answer.
    private static bool IsRightAnswer(string problem) => problem.StartsWith("ok", StringComparison.Ordinal);

    // A measure query sent one way or the other: completes when the answer's bytes are in, with what parses them.
    private delegate Task<Func<QueryResponse>> Query(QueryRequest request, CancellationToken cancellationToken);

    // The three methods with their answers kept as bytes (the generated client would parse them before returning).
    private static readonly Method<QueryRequest, byte[]> s_rawQuery = RawMethod<QueryRequest>(MeasureService.Descriptor.FullName, "Query", QueryRequest.Parser);
    private static readonly Method<TopNRequest, byte[]> s_rawTopN = RawMethod<TopNRequest>(MeasureService.Descriptor.FullName, "TopN", TopNRequest.Parser);
    private static readonly Method<GetAPIVersionRequest, byte[]> s_rawVersion = RawMethod<GetAPIVersionRequest>(Service.Descriptor.FullName, "GetAPIVersion", GetAPIVersionRequest.Parser);

    private static Method<TRequest, byte[]> RawMethod<TRequest>(string service, string name, MessageParser<TRequest> parser)
        where TRequest : IMessage<TRequest>
        => new(MethodType.Unary, service, name, Marshallers.Create((TRequest r) => r.ToByteArray(), parser.ParseFrom), Marshallers.Create((byte[] b) => b, b => b));

    private static Query RawGrpc(GrpcChannel channel)
    {
        CallInvoker invoker = channel.CreateCallInvoker();
        return async (request, token) =>
        {
            byte[] bytes = await invoker.AsyncUnaryCall(s_rawQuery, null, new CallOptions(cancellationToken: token), request);
            return () => QueryResponse.Parser.ParseFrom(bytes);
        };
    }

    // The floor under every query's latency: unary calls that do nothing in the silo (GetAPIVersion answers a
    // constant), over the same channel. "Floor x24" sends 24 at once, as Q2 does, so Q2's time above it is the
    // queries' own work.
    private static async Task<AnswerCheck> FloorAsync(CallInvoker invoker, int calls, CancellationToken cancellationToken)
    {
        Task<byte[]>[] answers = new Task<byte[]>[calls];
        for (int i = 0; i < calls; i++)
        {
            answers[i] = invoker.AsyncUnaryCall(s_rawVersion, null, new CallOptions(cancellationToken: cancellationToken), new GetAPIVersionRequest()).ResponseAsync;
        }

        byte[][] bytes = await Task.WhenAll(answers);
        return () =>
        {
            foreach (byte[] answer in bytes)
            {
                string? version = GetAPIVersionResponse.Parser.ParseFrom(answer).Version?.Version;
                if (version is not "0.10")
                {
                    return $"GetAPIVersion answered '{version}', expected 0.10";
                }
            }

            return null;
        };
    }

    // The gateway's measure query: the request as protojson, the answer parsed back (bydbctl's way). Only the answer's
    // bytes are read here, inside the caller's timer, as bench.py reads VictoriaMetrics' body; decoding them as UTF-8
    // and parsing the JSON come after it.
    private static async Task<Func<QueryResponse>> HttpQueryAsync(HttpClient http, QueryRequest request, CancellationToken cancellationToken)
    {
        using StringContent body = new(JsonFormatter.Default.Format(request), System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(new Uri("api/v1/measure/data", UriKind.Relative), body, cancellationToken);
        byte[] answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidDataException($"gateway answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
        }

        return () => s_json.Parse<QueryResponse>(System.Text.Encoding.UTF8.GetString(answer));
    }

    private static readonly JsonParser s_json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    // TopN over the hour: the ten highest latencies among the series (MAX of each series' per-window values).
    private async Task<AnswerCheck> TopNAsync(CallInvoker invoker, CancellationToken cancellationToken)
    {
        TopNRequest request = new()
        {
            Groups = { PeerSchema.Group },
            Name = PeerSchema.TopNName,
            TimeRange = new TimeRange { Begin = Ts(dataset.StartMs), End = Ts(EndMs - 1) },
            TopN = 10,
            Agg = AggregationFunction.Max,
            FieldValueSort = Sort.Desc,
        };
        byte[] bytes = await invoker.AsyncUnaryCall(s_rawTopN, null, new CallOptions(cancellationToken: cancellationToken), request);
        return () =>
        {
            TopNResponse response = TopNResponse.Parser.ParseFrom(bytes);
            List<long> got = [.. response.Lists.SelectMany(l => l.Items).Select(i => WholeNumber(i.Value)).OrderDescending().Take(10)];
            List<long> expected = _expectedTopN ??= ExpectedTopN();
            return got.SequenceEqual(expected) ? null : $"top values [{string.Join(", ", got)}], expected [{string.Join(", ", expected)}]";
        };
    }

    private List<long> ExpectedTopN()
    {
        List<long> maxima = [];
        for (int j = (int)PeerMetricKind.Latency; j < dataset.Series; j += 3)
        {
            long max = long.MinValue;
            for (int i = 0; i < dataset.Points; i++)
            {
                max = Math.Max(max, (long)dataset.Value(j, i));
            }

            maxima.Add(max);
        }

        return [.. maxima.OrderDescending().Take(10)];
    }

    /// <summary>Data points visible per measure over the whole time range (COUNT of <c>value</c>), summed.</summary>
    public async Task<long> CountVisibleAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        MeasureService.MeasureServiceClient client = new(channel);
        long total = 0;
        foreach (PeerMetricKind kind in Enum.GetValues<PeerMetricKind>())
        {
            QueryResponse response = await client.QueryAsync(
                Request(kind, dataset.StartMs, EndMs, null, agg: AggregationFunction.Count),
                cancellationToken: cancellationToken);
            total += response.DataPoints.Count == 0 ? 0 : WholeNumber(response.DataPoints[0].Fields[0].Value);
        }

        return total;
    }

    private long EndMs => dataset.TimestampMs(dataset.Points - 1) + dataset.StepMs; // exclusive

    // Each query completes when its answers' bytes are in; its check then says null when the answer is right, what
    // differs otherwise.
    private async Task<AnswerCheck> Q1Async(Query client, CancellationToken cancellationToken)
    {
        PeerSeriesTags tags = dataset.TagsOf(Q1Series);
        Criteria criteria = And(Equal("service_id", tags.ServiceId), And(Equal("instance_id", tags.InstanceId), Equal("endpoint_id", tags.EndpointId)));
        QueryRequest request = Request(PeerMetricKind.Gauge, dataset.StartMs, EndMs, criteria);
        request.FieldProjection = new QueryRequest.Types.FieldProjection { Names = { PeerSchema.Field } };
        request.Limit = (uint)dataset.Points;
        Func<QueryResponse> answer = await client(request, cancellationToken);
        return () => CheckQ1(answer());
    }

    private string? CheckQ1(QueryResponse response)
    {
        if (response.DataPoints.Count != dataset.Points)
        {
            return $"{response.DataPoints.Count} points, expected {dataset.Points}";
        }

        for (int i = 0; i < dataset.Points; i++)
        {
            DataPoint point = response.DataPoints[i];
            long ms = (point.Timestamp.Seconds * 1000) + (point.Timestamp.Nanos / 1_000_000);
            double value = point.Fields[0].Value.Float.Value;
            if (ms != dataset.TimestampMs(i) || value != dataset.Value(Q1Series, i))
            {
                return string.Create(CultureInfo.InvariantCulture, $"point {i}: ({ms}, {value:R}), expected ({dataset.TimestampMs(i)}, {dataset.Value(Q1Series, i):R})");
            }
        }

        return null;
    }

    private async Task<AnswerCheck> Q2Async(Query client, CancellationToken cancellationToken)
    {
        string service = dataset.ServiceId(0);
        long span = dataset.Points * dataset.StepMs;
        int buckets = (int)((span + BucketMs - 1) / BucketMs);
        Task<Func<QueryResponse>>[] sums = new Task<Func<QueryResponse>>[buckets];
        Task<Func<QueryResponse>>[] counts = new Task<Func<QueryResponse>>[buckets];
        for (int b = 0; b < buckets; b++)
        {
            long begin = dataset.StartMs + (b * BucketMs);
            long end = Math.Min(begin + BucketMs, EndMs);
            sums[b] = client(Request(PeerMetricKind.Latency, begin, end, Equal("service_id", service), AggregationFunction.Sum), cancellationToken);
            counts[b] = client(Request(PeerMetricKind.Latency, begin, end, Equal("service_id", service), AggregationFunction.Count), cancellationToken);
        }

        Func<QueryResponse>[] sumAnswers = await Task.WhenAll(sums);
        Func<QueryResponse>[] countAnswers = await Task.WhenAll(counts);
        return () => CheckQ2([.. sumAnswers.Select(a => a())], [.. countAnswers.Select(a => a())]);
    }

    private string? CheckQ2(QueryResponse[] sums, QueryResponse[] counts)
    {
        int buckets = sums.Length;
        (double[] expectedSums, long[] expectedCounts) = _expectedQ2 ??= ExpectedQ2(buckets);
        for (int b = 0; b < buckets; b++)
        {
            long sum = sums[b].DataPoints.Count == 0 ? 0 : WholeNumber(sums[b].DataPoints[0].Fields[0].Value);
            long count = counts[b].DataPoints.Count == 0 ? 0 : WholeNumber(counts[b].DataPoints[0].Fields[0].Value);
            double mean = count == 0 ? double.NaN : (double)sum / count;
            double expected = expectedSums[b] / expectedCounts[b];
            if (count != expectedCounts[b] || !(Math.Abs(mean - expected) <= 1e-9 * Math.Max(1.0, Math.Abs(expected))))
            {
                return string.Create(CultureInfo.InvariantCulture, $"bucket {b}: mean {mean:R} of {count} points, expected {expected:R} of {expectedCounts[b]}");
            }
        }

        return null;
    }

    private async Task<AnswerCheck> Q3Async(Query client, CancellationToken cancellationToken)
    {
        QueryRequest request = Request(PeerMetricKind.Latency, dataset.StartMs, EndMs, null, AggregationFunction.Max);
        TagProjection endpoint = new() { TagFamilies = { new TagProjection.Types.TagFamily { Name = PeerSchema.TagFamily, Tags = { "endpoint_id" } } } };
        request.GroupBy = new QueryRequest.Types.GroupBy { TagProjection = endpoint, FieldName = PeerSchema.Field };
        request.TagProjection = endpoint;
        request.Top = new QueryRequest.Types.Top { Number = 10, FieldName = PeerSchema.Field, FieldValueSort = Sort.Desc };
        Func<QueryResponse> answer = await client(request, cancellationToken);
        return () => CheckQ3(answer());
    }

    private string? CheckQ3(QueryResponse response)
    {
        List<(string Endpoint, long Max)> expected = _expectedQ3 ??= ExpectedQ3();
        List<(string Endpoint, long Max)> got = [.. response.DataPoints.Select(p => (p.TagFamilies[0].Tags[0].Value.Str.Value, p.Fields[0].Value.Int.Value))];
        if (!got.Select(g => g.Max).SequenceEqual(expected.Select(e => e.Max)))
        {
            return $"top values [{string.Join(", ", got.Select(g => g.Max))}], expected [{string.Join(", ", expected.Select(e => e.Max))}]";
        }

        bool sameIds = got.Select(g => g.Endpoint).ToHashSet().SetEquals(expected.Select(e => e.Endpoint));
        return sameIds ? null : "ok: the ten values match; endpoint ids differ among ties";
    }

    private (double[] Sums, long[] Counts) ExpectedQ2(int buckets)
    {
        double[] sums = new double[buckets];
        long[] counts = new long[buckets];
        for (int j = (int)PeerMetricKind.Latency; j < dataset.Series; j += 3)
        {
            if (dataset.ServiceOf(j) != 0)
            {
                continue;
            }

            for (int i = 0; i < dataset.Points; i++)
            {
                int b = (int)(i * dataset.StepMs / BucketMs);
                sums[b] += dataset.Value(j, i);
                counts[b]++;
            }
        }

        return (sums, counts);
    }

    private List<(string Endpoint, long Max)> ExpectedQ3()
    {
        Dictionary<string, long> max = new(StringComparer.Ordinal);
        for (int j = (int)PeerMetricKind.Latency; j < dataset.Series; j += 3)
        {
            string endpoint = dataset.TagsOf(j).EndpointId;
            for (int i = 0; i < dataset.Points; i++)
            {
                long v = (long)dataset.Value(j, i);
                if (!max.TryGetValue(endpoint, out long m) || v > m)
                {
                    max[endpoint] = v;
                }
            }
        }

        return [.. max.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(10).Select(kv => (kv.Key, kv.Value))];
    }

    // A COUNT (or SUM) has the field's type (BanyanDB's aggregation is generic over the field's number type): the gauge's is a float.
    private static long WholeNumber(FieldValue value) => value.ValueCase switch
    {
        FieldValue.ValueOneofCase.Int => value.Int.Value,
        FieldValue.ValueOneofCase.Float when value.Float.Value == Math.Floor(value.Float.Value) => (long)value.Float.Value,
        _ => throw new InvalidDataException($"expected a whole number, got {value}"),
    };

    private static QueryRequest Request(PeerMetricKind kind, long beginMs, long endMsExclusive, Criteria? criteria, AggregationFunction? agg = null)
    {
        QueryRequest request = new()
        {
            Groups = { PeerSchema.Group },
            Name = PeerDataset.Metrics[(int)kind],
            // The query's end is inclusive; timestamps are whole milliseconds.
            TimeRange = new TimeRange { Begin = Ts(beginMs), End = Ts(endMsExclusive - 1) },
            Criteria = criteria,
        };
        if (agg is { } function)
        {
            request.Agg = new QueryRequest.Types.Aggregation { Function = function, FieldName = PeerSchema.Field };
        }

        return request;
    }

    private static Timestamp Ts(long ms) => new() { Seconds = Math.DivRem(ms, 1000, out long rest), Nanos = (int)rest * 1_000_000 };

    private static Criteria Equal(string tag, string value)
        => new() { Condition = new Condition { Name = tag, Op = Condition.Types.BinaryOp.Eq, Value = new TagValue { Str = new Str { Value = value } } } };

    private static Criteria And(Criteria left, Criteria right)
        => new() { Le = new LogicalExpression { Op = LogicalExpression.Types.LogicalOp.And, Left = left, Right = right } };
}
