using Banyan.Storage.Index.Segments;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks.Index;

/// <summary>
/// Indexing rate: <see cref="IndexBenchmarkData.DocumentCount"/> stream elements indexed in
/// 10,000-element batches and merged into one segment (one operation = all elements).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class IndexBuildBenchmarks
{
    private IndexDocument[] _docs = [];

    [GlobalSetup]
    public void Setup()
    {
        _docs = IndexBenchmarkData.Generate(IndexBenchmarkData.DocumentCount);
        IndexSegment segment = IndexBenchmarkData.Index(_docs);
        Console.WriteLine($"// index bytes: {segment.SizeInBytes} for {segment.DocCount} elements = {(double)segment.SizeInBytes / segment.DocCount:F2} bytes/element");
    }

    [Benchmark]
    public int BuildAndMerge() => IndexBenchmarkData.Index(_docs).DocCount;
}
