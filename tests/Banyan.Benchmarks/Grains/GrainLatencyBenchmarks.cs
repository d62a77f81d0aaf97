using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks.Grains;

/// <summary>
/// Per-call latency distribution of an empty grain call, awaited one at a time. BenchmarkDotNet's
/// statistics are over iteration means, so each call is timed with Stopwatch here and the median and
/// 99th percentile over all measured calls are written at cleanup to
/// <c>BenchmarkDotNet.Artifacts/grain-call-latency-&lt;path&gt;.txt</c> (and the console).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5, invocationCount: 1)]
public class GrainLatencyBenchmarks
{
    private const int CallsPerInvocation = 5000;
    private const int MeasuredIterations = 5;
    private readonly List<List<long>> _iterations = [];
    private GrainCallScenario _scenario = null!;

    [Params(CallPath.InSilo, CallPath.AcrossSilos, CallPath.FromClient)]
    public CallPath Path { get; set; }

    [GlobalSetup]
    public void Setup() => _scenario = GrainCallScenario.StartAsync(Path).GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(Calls))]
    public void StartIteration() => _iterations.Add(new List<long>(CallsPerInvocation));

    [Benchmark(Description = "5000 sequential empty calls", OperationsPerInvoke = CallsPerInvocation)]
    public async Task Calls()
    {
        List<long> ticks = _iterations[^1];
        for (int i = 0; i < CallsPerInvocation; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await _scenario.Grain.Ping();
            ticks.Add(Stopwatch.GetTimestamp() - start);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scenario.DisposeAsync().AsTask().GetAwaiter().GetResult();
        // Only the workload iterations (the last ones); warm-up iterations also ran through IterationSetup.
        List<long> ticks = _iterations.Skip(Math.Max(0, _iterations.Count - MeasuredIterations)).SelectMany(t => t).ToList();
        if (ticks.Count == 0)
        {
            return;
        }

        ticks.Sort();
        double Micros(double quantile) => ticks[(int)Math.Min(ticks.Count - 1, quantile * ticks.Count)] * 1_000_000.0 / Stopwatch.Frequency;
        string line = string.Create(CultureInfo.InvariantCulture, $"{Path}: calls={ticks.Count} median={Micros(0.5):F1} us p99={Micros(0.99):F1} us");
        Console.WriteLine("GRAIN-LATENCY " + line);
        Directory.CreateDirectory("BenchmarkDotNet.Artifacts");
        File.WriteAllText(System.IO.Path.Combine("BenchmarkDotNet.Artifacts", $"grain-call-latency-{Path}.txt"), line + Environment.NewLine);
    }
}
