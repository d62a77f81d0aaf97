using System.Text;
using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks;

/// <summary>
/// A shard's seal as the silo's write phase runs it: the buffered batches of three measures (the peer dataset's
/// counter, gauge and latency) written time-major, each row a series' three entity tags (borrowed from one array per
/// series, as the write planner appends them) and one value, built into one memory part
/// (<see cref="MemoryPartBuilder.BuildAll"/> with the entity tags known). 9,000 series × 24 timestamps in batches of
/// 1,500 rows.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 9)]
[MemoryDiagnoser]
public class MemoryPartBuilderBenchmarks
{
    private const int SeriesPerSubject = 3_000;
    private const int Timestamps = 24;
    private const int BatchRows = 1_500;
    private static readonly string[] s_subjects = ["instance_cpu_percent", "http_requests_total", "endpoint_resp_time_ms"];
    private static readonly string[] s_tags = ["service_id", "instance_id", "endpoint_id"];
    private readonly List<WriteBatch> _batches = [];
    private readonly PartWriterOptions _options = PartWriterOptions.Default;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (int subject = 0; subject < s_subjects.Length; subject++)
        {
            // One array per series holding its three tag values, as the planner's series cache keeps them.
            var series = new (ulong Id, byte[] Tags, int[] Starts, int[] Lengths)[SeriesPerSubject];
            for (int s = 0; s < SeriesPerSubject; s++)
            {
                string[] values = [$"service-{s % 50}", $"service-{s % 50}-instance-{s % 500}", $"service-{s % 50}-endpoint-{s}"];
                byte[] tags = Encoding.UTF8.GetBytes(string.Concat(values));
                int[] starts = new int[3];
                int[] lengths = new int[3];
                for (int t = 0, at = 0; t < 3; t++)
                {
                    starts[t] = at;
                    lengths[t] = Encoding.UTF8.GetByteCount(values[t]);
                    at += lengths[t];
                }

                series[s] = ((ulong)random.NextInt64() ^ ((ulong)subject << 62), tags, starts, lengths);
            }

            WriteBatch? batch = null;
            for (int t = 0; t < Timestamps; t++)
            {
                for (int s = 0; s < SeriesPerSubject; s++)
                {
                    if (batch is null || batch.Count == BatchRows)
                    {
                        batch = NewBatch(s_subjects[subject]);
                        _batches.Add(batch);
                    }

                    (ulong id, byte[] tags, int[] starts, int[] lengths) = series[s];
                    batch.AppendKeys(id, [1_700_000_000_000_000_000L + (t * 10_000_000_000L)], 1);
                    for (int c = 0; c < 3; c++)
                    {
                        batch.Columns[c].AppendSharedBytes(tags, starts[c], lengths[c]);
                    }

                    batch.Columns[3].AppendInt64(random.Next(1, 1000));
                }
            }
        }

        // Time-major across the subjects too: the shard's buffer interleaves the measures' joined batches.
        _batches.Sort((a, b) => a.Timestamps[0].CompareTo(b.Timestamps[0]));
    }

    [Benchmark]
    public int Seal()
    {
        List<MemoryPart> parts = MemoryPartBuilder.BuildAll(_batches, DataKind.Measure, _options, entityTagsOf: _ => s_tags);
        return (int)parts[0].Metadata.RowCount;
    }

    private static WriteBatch NewBatch(string subject)
    {
        var batch = new WriteBatch(DataKind.Measure, subject);
        foreach (string tag in s_tags)
        {
            batch.AddColumn("default", tag, ColumnValueType.String);
        }

        batch.AddColumn(null, "value", ColumnValueType.Int64);
        return batch;
    }
}
