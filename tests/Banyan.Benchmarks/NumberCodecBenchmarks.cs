using Banyan.Storage.Bytes;
using Banyan.Storage.Encodings;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks;

/// <summary>
/// A part's number columns encoded as a flush or a merge encodes them, with the Rice kind allowed: the peer dataset's
/// values (1,000 series × 360 points, one sequence a series) as float64 (<see cref="FloatSequenceCodec"/>: converted to
/// <see cref="DecimalFloat"/> mantissas, then encoded as integers) and as those mantissas (<see cref="IntegerSequenceCodec"/>),
/// and their timestamps. Most of the integers' time is choosing each sequence's Rice parameters (<see cref="RiceCodec.Plan"/>:
/// a median and a few exact size counts).
/// Run: <c>dotnet run -c Release --project tests/Banyan.Benchmarks -- --filter *NumberCodec*</c>.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 9)]
public class NumberCodecBenchmarks : IDisposable
{
    private const int Series = 1_000;
    private readonly List<double[]> _floats = [];
    private readonly List<long[]> _values = [];
    private readonly List<long[]> _timestamps = [];
    private readonly ByteBuffer _output = new(1 << 16);

    [GlobalSetup]
    public void Setup()
    {
        ShardIngestData data = ShardIngestData.Load();
        var bySeries = new Dictionary<ulong, (List<double> Values, List<long> Times)>();
        for (int i = 0; i < data.Count; i++)
        {
            if (!bySeries.TryGetValue(data.Series[i], out var series))
            {
                if (bySeries.Count == Series)
                {
                    continue;
                }

                bySeries[data.Series[i]] = series = ([], []);
            }

            series.Values.Add(data.Values[i]);
            series.Times.Add(data.Timestamps[i]);
        }

        foreach ((List<double> values, List<long> times) in bySeries.Values)
        {
            _floats.Add([.. values]);
            long[] mantissas = new long[values.Count];
            if (DecimalFloat.TryConvert([.. values], mantissas, out _))
            {
                _values.Add(mantissas);
            }

            _timestamps.Add([.. times]);
        }
    }

    /// <summary>Every series' values as float64: the decimal conversion, then the mantissas' encoding.</summary>
    [Benchmark]
    public long Floats() => EncodeAll(_floats, static (sequence, output) => FloatSequenceCodec.Encode(sequence, output, allowRice: true));

    /// <summary>Every series' values as their decimal mantissas.</summary>
    [Benchmark]
    public long Values() => EncodeAll(_values, EncodeIntegers);

    /// <summary>Every series' timestamps (evenly spaced: the constant-delta kind, no Rice plan needed after its check).</summary>
    [Benchmark]
    public long Timestamps() => EncodeAll(_timestamps, EncodeIntegers);

    /// <summary>Releases the output buffer.</summary>
    public void Dispose()
    {
        _output.Dispose();
        GC.SuppressFinalize(this);
    }

    private static void EncodeIntegers(long[] sequence, ByteBuffer output) => IntegerSequenceCodec.Encode(sequence, output, allowRice: true);

    // Each sequence encoded on its own into the one buffer; the bytes of all (so the work cannot be skipped).
    private long EncodeAll<T>(List<T[]> sequences, Action<T[], ByteBuffer> encode)
    {
        long bytes = 0;
        foreach (T[] sequence in sequences)
        {
            _output.Clear();
            encode(sequence, _output);
            bytes += _output.Length;
        }

        return bytes;
    }
}
