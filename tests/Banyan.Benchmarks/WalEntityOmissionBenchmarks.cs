using Banyan.Benchmarks.Load;
using Banyan.Storage.Bytes;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks;

/// <summary>
/// The WAL record of one shard write of the peer load (4,096 rows of distinct series, three string entity tags and a
/// float field), written whole (write batch format 2) and leaving the entity tags out (format 3, every row's series in the
/// series index's files), and read back: format 3 restores the tags from each series' encoded key
/// (<see cref="SeriesEntityBytes"/> in one <see cref="SeriesEntityArena"/>, looked up by series id as a replay's cache answers it).
/// Run: <c>dotnet run -c Release --project tests/Banyan.Benchmarks -- --filter *WalEntityOmission*</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class WalEntityOmissionBenchmarks
{
    private const int Rows = 4_096;

    private WriteBatch _batch = null!;
    private EntityOmission _omission = null!;
    private byte[] _whole = null!;
    private byte[] _omitting = null!;
    private Dictionary<ulong, SeriesEntityBytes> _keys = null!;

    [GlobalSetup]
    public void Setup()
    {
        _keys = [];
        SeriesEntityArena arena = new();
        _batch = PeerShardWriteBatch.Build(Rows, (id, t) => _keys[id] = arena.Add([TagValue.FromString(t.ServiceId), TagValue.FromString(t.InstanceId), TagValue.FromString(t.EndpointId)]));
        _omission = new EntityOmission([0, 1, 2], [0, 1, 2], Enumerable.Repeat(true, Rows).ToArray());
        _whole = WriteBatchCodec.Encode(_batch);
        using ByteBuffer omitting = new(Rows * 32);
        WriteBatchCodec.Encode(_batch, omitting, _omission);
        _omitting = omitting.WrittenSpan.ToArray();
        Console.WriteLine($"// record bytes: whole {_whole.Length:N0} ({(double)_whole.Length / Rows:F1} a row), tags left out {_omitting.Length:N0} ({(double)_omitting.Length / Rows:F1} a row)");
    }

    /// <summary>Format 2: every row's tags in the record.</summary>
    [Benchmark(Baseline = true)]
    public int EncodeWhole()
    {
        using ByteBuffer buffer = new(Rows * 160);
        WriteBatchCodec.Encode(_batch, buffer);
        return buffer.Length;
    }

    /// <summary>Format 3: the tags left out.</summary>
    [Benchmark]
    public int EncodeLeavingTagsOut()
    {
        using ByteBuffer buffer = new(Rows * 32);
        WriteBatchCodec.Encode(_batch, buffer, _omission);
        return buffer.Length;
    }

    /// <summary>Replaying format 2.</summary>
    [Benchmark]
    public int DecodeWhole() => WriteBatchCodec.Decode(_whole).Count;

    /// <summary>Replaying format 3: the tags restored from the series' keys.</summary>
    [Benchmark]
    public int DecodeRestoringTags() => WriteBatchCodec.Decode(_omitting, "wal", 0, id => _keys.GetValueOrDefault(id)).Count;
}
