using System.IO.Hashing;
using Banyan.Benchmarks.Load;
using Banyan.Storage.Bytes;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks;

/// <summary>
/// The WAL record of one shard write of the peer load (4,096 rows of distinct series, their three SkyWalking-style entity
/// tags and a float field, as the write planner hands them to a shard): the whole encoding
/// (<see cref="WriteBatchCodec.Encode(WriteBatch, ByteBuffer)"/>, whose byte columns try a dictionary and hash every
/// value for it), and the two hashes that dictionary could use over the same values, the old one (<see cref="HashCode"/>)
/// as the baseline.
/// Run: <c>dotnet run -c Release --project tests/Banyan.Benchmarks -- --filter *WalRecordEncoding*</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class WalRecordEncodingBenchmarks
{
    private const int Rows = 4_096;

    private WriteBatch _batch = null!;
    private byte[][] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        List<byte[]> values = [];
        _batch = PeerShardWriteBatch.Build(Rows, (_, t) =>
        {
            values.Add(System.Text.Encoding.UTF8.GetBytes(t.ServiceId));
            values.Add(System.Text.Encoding.UTF8.GetBytes(t.InstanceId));
            values.Add(System.Text.Encoding.UTF8.GetBytes(t.EndpointId));
        });
        _values = [.. values];
    }

    /// <summary>The record's encoding, as the shard does it before the WAL append.</summary>
    [Benchmark]
    public int EncodeRecord()
    {
        using ByteBuffer buffer = new(Rows * 160);
        WriteBatchCodec.Encode(_batch, buffer);
        return buffer.Length;
    }

    /// <summary>The dictionary's hash before: <see cref="HashCode.AddBytes"/>, 4 bytes at a time.</summary>
    [Benchmark(Baseline = true)]
    public int HashCodeAddBytes()
    {
        int sum = 0;
        foreach (byte[] v in _values)
        {
            HashCode hash = default;
            hash.AddBytes(v);
            sum += hash.ToHashCode();
        }

        return sum;
    }

    /// <summary>The dictionary's hash now: XXH3, 16-byte lanes.</summary>
    [Benchmark]
    public int XxHash3Values()
    {
        int sum = 0;
        foreach (byte[] v in _values)
        {
            sum += unchecked((int)XxHash3.HashToUInt64(v));
        }

        return sum;
    }
}
