using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Banyan.Api.Model.V1;
using Banyan.Benchmarks.Load;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Writes;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IntervalRule = Banyan.Storage.TimeSegments.IntervalRule;
using IntervalUnit = Banyan.Storage.TimeSegments.IntervalUnit;

namespace Banyan.Benchmarks;

/// <summary>
/// The write planner on the silo's path (<see cref="MeasureWritePlanner.Plan"/> over data points as they arrive on the
/// wire): 4,096 data points of the peer load's latency measure, each of a distinct series (three string entity tags and
/// an integer value, encoded as the load generator encodes them), decoded from their bytes into per-shard columns with
/// the series already known to the layout's cache, as in a steady ingest. <see cref="KnownSeries"/> is how many series
/// the cache holds: the 4,096 planned, or 32,768 of which every eighth is planned (the peer load's three measures of
/// 10,000 series each hold about 30,000, more than the processor's caches keep close). Every timed plan sends the same
/// series in the same order, so the cache's guess of each series from the one before (<see cref="SeriesIdCache"/>) is
/// always right: the best case, as a writer that keeps its order; the silo's figures are measured with <c>load-pair</c>.
/// Run: <c>dotnet run -c Release --project tests/Banyan.Benchmarks -- --filter *WritePlanner*</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class WritePlannerBenchmarks
{
    private const int Points = 4_096;

    /// <summary>Series the layout's cache knows before the timed plans (a multiple of <see cref="Points"/>).</summary>
    [Params(4_096, 32_768)]
    public int KnownSeries { get; set; } = Points;
    private MeasureWriteBatch _batch = null!;
    private SubjectLayout _layout = null!;
    private GroupSettings _group = null!;
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        int stride = KnownSeries / Points;
        PeerDataset dataset = new(series: 3 * KnownSeries, points: 1);
        long ms = dataset.TimestampMs(0);
        Timestamp timestamp = new() { Seconds = Math.DivRem(ms, 1000, out long rest), Nanos = (int)rest * 1_000_000 };
        _now = DateTimeOffset.FromUnixTimeMilliseconds(ms).AddMinutes(1);
        byte[][] points = new byte[KnownSeries][];
        for (int i = 0; i < KnownSeries; i++)
        {
            int series = (3 * i) + (int)PeerMetricKind.Latency;
            PeerSeriesTags tags = dataset.TagsOf(series);
            DataPointValue point = new()
            {
                Timestamp = timestamp,
                TagFamilies =
                {
                    new TagFamilyForWrite
                    {
                        Tags =
                        {
                            new TagValue { Str = new Str { Value = tags.ServiceId } },
                            new TagValue { Str = new Str { Value = tags.InstanceId } },
                            new TagValue { Str = new Str { Value = tags.EndpointId } },
                        },
                    },
                },
                Fields = { new FieldValue { Int = new Int { Value = (long)dataset.Value(series, 0) } } },
            };
            points[i] = point.ToByteArray();
        }

        Metadata metadata = PeerSchema.MetadataOf(PeerMetricKind.Latency);
        _layout = SubjectLayout.ForMeasure(metadata.Group, PeerSchema.MeasureSchema(PeerMetricKind.Latency), null);
        _group = new GroupSettings(2, new IntervalRule(IntervalUnit.Day, 1), new IntervalRule(IntervalUnit.Day, 3650), 1);

        // Every series planned once, so the layout's cache knows them all; then the timed batch: every stride-th.
        _batch = BatchOf(metadata, points);
        Plan();
        _batch = BatchOf(metadata, [.. Enumerable.Range(0, Points).Select(i => points[i * stride])]);
        long misses = _layout.SeriesIds.Misses;
        Plan();
        if (_layout.SeriesIds.Misses != misses)
        {
            throw new InvalidOperationException("the timed batch's series must all be known to the cache before the timed plans");
        }
    }

    [Benchmark]
    public int Plan() => MeasureWritePlanner.Plan(_batch, null, _layout, _group, _now, 1).Expired;

    // Slices of one array, as the write stream hands them over.
    private static MeasureWriteBatch BatchOf(Metadata metadata, byte[][] points)
    {
        byte[] joined = [.. points.SelectMany(p => p)];
        ReadOnlyMemory<byte>[] slices = new ReadOnlyMemory<byte>[points.Length];
        ulong[] ids = new ulong[points.Length];
        for (int i = 0, at = 0; i < points.Length; at += points[i].Length, i++)
        {
            slices[i] = joined.AsMemory(at, points[i].Length);
            ids[i] = (ulong)i + 1;
        }

        return new MeasureWriteBatch(metadata, null, [], new WireDataPoints(slices, ids));
    }
}
