using Banyan.Storage.Bytes;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks.ShardIndexing;

/// <summary>
/// The index work a shard adds to each write: <c>Prepare</c> (validation, series, documents) and
/// <c>Apply</c> (in-memory segments), for stream batches of 1,000 elements over 1,000 series with
/// three indexed tags; compared with encoding the same batch for the WAL.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ShardIndexerBenchmarks
{
    private const int Batches = 20;
    private const int RowsPerBatch = 1000;
    private static readonly ShardIndexConfig s_config = new(DataKind.Stream, "bench_stream", ["service", "instance"],
    [
        new ShardIndexRule("status"),
        new ShardIndexRule("endpoint"),
        new ShardIndexRule("latency"),
    ]);

    private WriteBatch[] _batches = [];
    private string _folder = "";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var ids = new ulong[1000];
        for (int s = 0; s < ids.Length; s++)
        {
            ids[s] = SeriesKey.ComputeSeriesId("bench_stream", [TagValue.FromString("svc-" + (s / 10)), TagValue.FromInt64(s % 10)]);
        }

        _batches = new WriteBatch[Batches];
        var values = new ColumnValue[5];
        long element = 0;
        for (int b = 0; b < Batches; b++)
        {
            var batch = new WriteBatch(DataKind.Stream);
            batch.AddColumn("default", "service", ColumnValueType.String);
            batch.AddColumn("default", "instance", ColumnValueType.Int64);
            batch.AddColumn("default", "status", ColumnValueType.Int64);
            batch.AddColumn("default", "endpoint", ColumnValueType.String);
            batch.AddColumn("default", "latency", ColumnValueType.Int64);
            for (int r = 0; r < RowsPerBatch; r++)
            {
                int s = random.Next(ids.Length);
                values[0] = ColumnValue.FromString("svc-" + (s / 10));
                values[1] = ColumnValue.FromInt64(s % 10);
                values[2] = ColumnValue.FromInt64(random.Next(10) == 0 ? 500 : 200);
                values[3] = ColumnValue.FromString("/api/v1/endpoint-" + random.Next(200));
                values[4] = ColumnValue.FromInt64(random.Next(1, 5000));
                batch.AddRow(ids[s], 1_700_000_000_000_000_000L + (element * 1_000_000L), element, values);
                element++;
            }

            _batches[b] = batch;
        }

        _folder = Path.Combine(Path.GetTempPath(), "banyan-bench-idx-" + Guid.NewGuid().ToString("N"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Benchmark(Baseline = true, Description = "WAL encode (20 x 1,000 rows)")]
    public long WalEncode()
    {
        long bytes = 0;
        using var buffer = new ByteBuffer(1 << 16);
        foreach (WriteBatch batch in _batches)
        {
            buffer.Clear();
            WriteBatchCodec.Encode(batch, buffer);
            bytes += buffer.WrittenSpan.Length;
        }

        return bytes;
    }

    [Benchmark(Description = "Prepare (20 x 1,000 rows)")]
    public int Prepare()
    {
        ShardIndexer indexer = OpenFresh();
        int docs = 0;
        foreach (WriteBatch batch in _batches)
        {
            docs += indexer.Prepare(batch).Documents.Count;
        }

        return docs;
    }

    [Benchmark(Description = "Prepare + Apply (20 x 1,000 rows)")]
    public long PrepareAndApply()
    {
        ShardIndexer indexer = OpenFresh();
        long sequence = 0;
        foreach (WriteBatch batch in _batches)
        {
            indexer.Index(++sequence, batch);
        }

        return indexer.DocumentCount;
    }

    private ShardIndexer OpenFresh()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return ShardIndexer.Open(_folder, s_config);
    }
}
