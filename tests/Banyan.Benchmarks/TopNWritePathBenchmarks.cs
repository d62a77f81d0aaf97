using Banyan.Grains.TopN;
using Banyan.Storage.Values;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks;

/// <summary>
/// What a TopN aggregation costs the write path per window, on the peer benchmark's shape: one shard's 1,667 latency
/// series (gen.py's entities of three base64 ids, about 127 bytes) each putting one point into a window's list of
/// 1,000 counters (<see cref="Feed"/>; <see cref="FeedSized"/> into a list given room for 1,000 up front, as a window's
/// lists are after a window that filled them; <see cref="FeedSizedByPlace"/> the same with each series' place among the
/// aggregation's series, as the write path's <see cref="TopNSeriesTags"/> gives it), and the flush of that list: ranking
/// it and encoding it as the <c>_top_n_result</c> row's value (<see cref="Flush"/>; apart: <see cref="RankOnly"/> and
/// <see cref="EncodeOnly"/>; with the entities ranked once beforehand, as the write path's <see cref="TopNEntityOrder"/>
/// ranks them: <see cref="FlushEntitiesRanked"/>, <see cref="EncodeOnlyEntitiesRanked"/>; as the silo's flush does it,
/// from the list's slots without an item object per entry: <see cref="FlushFromSlots"/>, <see cref="RankSlotsOnly"/>).
/// The silo does both once per window and shard for the peer load's aggregation (<c>SORT_DESC</c>), twice for one of
/// BanyanDB's unspecified sort (a top and a bottom list). Points carry their entity's bytes, as the write path's
/// <see cref="TopNSeriesTags"/> gives them.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class TopNWritePathBenchmarks
{
    private const int Series = 1_667;
    private const int Counters = 1_000;
    private readonly ulong[] _seriesIds = new ulong[Series];
    private readonly TagValue[][] _entities = new TagValue[Series][];
    private readonly byte[][] _entityBytes = new byte[Series][];
    private readonly long[] _values = new long[Series];
    private readonly TopNEntityOrder _order = new();
    private readonly object _places = new();
    private TopNCounters _full = null!;
    private TopNItem[] _ranked = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (int s = 0; s < Series; s++)
        {
            string service = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"service-{s % 20}")) + ".1";
            string instance = service + "_" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"instance-{s / 20 % 10}-of-{s % 20}"));
            string endpoint = service + "_" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"/api/v1/endpoint-{s / 200}/resource-{s}"));
            _entities[s] = [TagValue.FromString(service), TagValue.FromString(instance), TagValue.FromString(endpoint)];
            _entityBytes[s] = TopNResultCodec.EntityBytes(_entities[s]);
            _order.Add(_entityBytes[s]);
            _seriesIds[s] = (ulong)random.NextInt64();
            _values[s] = (long)Math.Exp(3 + random.NextDouble() * 3);
        }

        _full = Fill();
        _ranked = _full.Ranked();
    }

    [Benchmark(Baseline = true)]
    public int Feed() => Fill().Count;

    [Benchmark]
    public int FeedSized() => Fill(expected: Counters).Count;

    [Benchmark]
    public int FeedSizedByPlace() => Fill(expected: Counters, byPlace: true).Count;

    [Benchmark]
    public byte[] Flush() => TopNResultCodec.Encode(_full.Ranked(), isFloat: false);

    [Benchmark]
    public byte[] FlushEntitiesRanked() => TopNResultCodec.Encode(_full.Ranked(), isFloat: false, _order);

    [Benchmark]
    public byte[] FlushFromSlots() => TopNResultCodec.Encode(_full.RankSlots(), isFloat: false, _order);

    [Benchmark]
    public int RankOnly() => _full.Ranked().Length;

    [Benchmark]
    public int RankSlotsOnly() => _full.RankSlots().Count;

    [Benchmark]
    public int EncodeOnly() => TopNResultCodec.Encode(_ranked, isFloat: false).Length;

    [Benchmark]
    public int EncodeOnlyEntitiesRanked() => TopNResultCodec.Encode(_ranked, isFloat: false, _order).Length;

    private TopNCounters Fill(int expected = 0, bool byPlace = false)
    {
        var counters = new TopNCounters(Counters, descending: true, expected);
        for (int s = 0; s < Series; s++)
        {
            counters.Put(_seriesIds[s], TopNRank.OfInt(_values[s]), _entities[s], _entityBytes[s], byPlace ? new TopNSeriesOrdinal(_places, s) : default);
        }

        return counters;
    }
}
