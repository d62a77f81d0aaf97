using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks.Grains;

/// <summary>
/// Grain call cost: one empty call awaited at a time (latency-bound), 100 concurrent empty calls
/// (throughput-bound), and one call carrying a 1 MiB protobuf payload. Every call is serialized,
/// in-silo calls included.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class GrainCallBenchmarks
{
    private const int Concurrent = 100;
    private GrainCallScenario _scenario = null!;
    private readonly Task[] _calls = new Task[Concurrent];

    [Params(CallPath.InSilo, CallPath.AcrossSilos, CallPath.FromClient)]
    public CallPath Path { get; set; }

    [GlobalSetup]
    public void Setup() => _scenario = GrainCallScenario.StartAsync(Path).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _scenario.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "empty call, sequential")]
    public Task EmptyCall() => _scenario.Grain.Ping();

    [Benchmark(Description = "empty call, 100 concurrent", OperationsPerInvoke = Concurrent)]
    public Task EmptyCallConcurrent()
    {
        for (int i = 0; i < Concurrent; i++)
        {
            _calls[i] = _scenario.Grain.Ping();
        }

        return Task.WhenAll(_calls);
    }

    [Benchmark(Description = "1 MiB protobuf payload")]
    public Task PayloadCall() => _scenario.Grain.Take(GrainCallScenario.Payload);
}
