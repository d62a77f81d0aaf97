using System.Globalization;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Banyan.Benchmarks;

/// <summary>
/// Sustained ingest of the peer dataset (10,000 series × 360 points, time-major) through
/// <c>Shard.Write</c> in batches of 10,000 samples from two concurrent writers (group commit),
/// with flushes and merges running, until every sample is in an on-disk part; then a final full
/// merge. One operation = the whole dataset (3.6 M samples). Each iteration prints the ingest
/// phase, samples/s and bytes/sample after the final merge. After each iteration (untimed) the shard is
/// reopened and every sample checked exactly (<see cref="ShardIngestCheck"/>); a difference fails the run.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class ShardIngestBenchmarks
{
    private WriteBatch[] _batches = [];
    private ShardIngestCheck? _check;
    private string _directory = "";

    [Params(true, false)]
    public bool Wal { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ShardIngestData data = ShardIngestData.Load();
        _batches = ShardIngestRun.Batches(data, 10_000);
        _check = ShardIngestCheck.Of(data.Series, data.Timestamps, data.Values);
    }

    [IterationSetup]
    public void CreateDirectory() => _directory = Path.Combine(Path.GetTempPath(), "banyan-ingest-" + Guid.NewGuid().ToString("N"));

    [Benchmark]
    public ShardIngestRun.Result Ingest()
    {
        ShardIngestRun.Result result = ShardIngestRun.Run(_directory, _batches, Wal, writers: 2, check: null);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// ingest wal={Wal}: {result.IngestSeconds:F2} s to disk, {result.SamplesPerSecond:N0} samples/s, final merge {result.FinalMergeSeconds:F2} s, {(double)result.AllocatedLiveBytes / result.Samples:F3} bytes/sample allocated ({(double)result.LiveBytes / result.Samples:F3} apparent), {result.Parts} part(s), shard folder {result.DirectoryBytes} bytes"));
        return result;
    }

    [IterationCleanup]
    public void CheckAndDeleteDirectory()
    {
        try
        {
            // Reopened: what the run acknowledged must also survive a close and an open. (Every
            // iteration is one invocation of Ingest, which creates the folder.)
            using (Shard shard = Shard.Open(_directory, ShardIngestRun.Options(Wal)))
            {
                _check!.VerifyScan(shard);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// ingest wal={Wal}: checked {_check!.Matched:N0} samples exactly"));
        }
        finally
        {
            DeleteDirectory();
        }
    }

    private void DeleteDirectory()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
