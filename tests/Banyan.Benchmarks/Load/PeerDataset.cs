using System.Globalization;
using System.Numerics;
using System.Text;

namespace Banyan.Benchmarks.Load;

/// <summary>The three metric kinds of gen.py; series <c>j</c> has kind <c>j % 3</c>.</summary>
public enum PeerMetricKind
{
    /// <summary><c>endpoint_calls_total</c>: monotonic integer counter.</summary>
    Counter = 0,

    /// <summary><c>instance_cpu_percent</c>: bounded random walk, two decimals.</summary>
    Gauge = 1,

    /// <summary><c>endpoint_resp_time_ms</c>: latency-like integers with rare spikes.</summary>
    Latency = 2,
}

/// <summary>The entity tags of one series, as gen.py builds them (SkyWalking-style ids).</summary>
/// <param name="Metric">The metric name.</param>
/// <param name="ServiceId"><c>base64(service name) + ".1"</c>.</param>
/// <param name="InstanceId"><c>service_id + "_" + base64(instance name)</c>.</param>
/// <param name="EndpointId"><c>service_id + "_" + base64(endpoint name)</c>.</param>
public sealed record PeerSeriesTags(string Metric, string ServiceId, string InstanceId, string EndpointId);

/// <summary>
/// The peer benchmark's dataset (<c>shared/bench/peers/gen.py</c>, generator version 1) computed in process: the
/// same series, tags, timestamps and values, bit for bit, for any size and seed, without the CSV. Values depend only
/// on (seed, series, point), drawn from <see cref="PythonRandom"/> with gen.py's transforms.
/// </summary>
public sealed class PeerDataset
{
    /// <summary>gen.py's metric names, indexed by <see cref="PeerMetricKind"/>.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["endpoint_calls_total", "instance_cpu_percent", "endpoint_resp_time_ms"];

    private readonly string[] _serviceIds;
    private readonly double[] _values;

    /// <summary>Generates the dataset gen.py makes with the same arguments (<c>--series --points --seed --start-ms --step-ms --services --instances</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 3 series or 1 point, as gen.py refuses.</exception>
    public PeerDataset(int series, int points, long seed = 42, long startMs = 1704067200000, long stepMs = 10_000, int services = 0, int instances = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(series, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        Series = series;
        Points = points;
        Seed = seed;
        StartMs = startMs;
        StepMs = stepMs;
        Services = services > 0 ? services : Math.Max(1, series / 500);
        Instances = instances;
        _serviceIds = new string[Services];
        for (int s = 0; s < Services; s++)
        {
            _serviceIds[s] = Base64(string.Create(CultureInfo.InvariantCulture, $"service-{s:D3}")) + ".1";
        }

        _values = GenerateValues();
    }

    /// <summary>Number of series (S).</summary>
    public int Series { get; }

    /// <summary>Points per series (N).</summary>
    public int Points { get; }

    /// <summary>The seed.</summary>
    public long Seed { get; }

    /// <summary>Timestamp of the first point, Unix milliseconds.</summary>
    public long StartMs { get; }

    /// <summary>Milliseconds between points.</summary>
    public long StepMs { get; }

    /// <summary>Number of services.</summary>
    public int Services { get; }

    /// <summary>Instances per service.</summary>
    public int Instances { get; }

    /// <summary>Number of data points (S·N).</summary>
    public long Samples => (long)Series * Points;

    /// <summary>The service id of service <paramref name="service"/>.</summary>
    public string ServiceId(int service) => _serviceIds[service];

    /// <summary>The metric kind of series <paramref name="series"/>.</summary>
    public static PeerMetricKind KindOf(int series) => (PeerMetricKind)(series % 3);

    /// <summary>Timestamp of point <paramref name="point"/>, Unix milliseconds.</summary>
    public long TimestampMs(int point) => StartMs + (point * StepMs);

    /// <summary>Value of point <paramref name="point"/> of series <paramref name="series"/> (integers for counters and latencies).</summary>
    public double Value(int series, int point) => _values[((long)series * Points) + point];

    /// <summary>The service index of series <paramref name="series"/>.</summary>
    public int ServiceOf(int series) => series / 3 % Services;

    /// <summary>The tags of series <paramref name="series"/>.</summary>
    public PeerSeriesTags TagsOf(int series)
    {
        int entity = series / 3;
        int service = entity % Services;
        int rest = entity / Services;
        int instance = rest % Instances;
        int endpoint = rest / Instances;
        string sid = _serviceIds[service];
        string iid = sid + "_" + Base64(string.Create(CultureInfo.InvariantCulture, $"service-{service:D3}-pod-{instance}"));
        string eid = sid + "_" + Base64(string.Create(CultureInfo.InvariantCulture, $"GET:/api/v1/resource-{endpoint:D4}/{{id}}"));
        return new PeerSeriesTags(Metrics[series % 3], sid, iid, eid);
    }

    /// <summary>
    /// Python's <c>round(value, 2)</c>: the exact binary value rounded half to even at two decimals, then the double
    /// nearest that decimal. (<see cref="Math.Round(double, int)"/> scales first and so can differ.)
    /// </summary>
    public static double RoundTwoDecimals(double value)
    {
        if (!double.IsFinite(value) || value == 0)
        {
            return value;
        }

        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        int shift = exponent - 1075; // value = mantissa · 2^shift
        if (shift >= 0)
        {
            return value; // an integer: nothing after the point
        }

        BigInteger scaled = new BigInteger(mantissa) * 100;
        BigInteger denominator = BigInteger.One << -shift;
        BigInteger quotient = BigInteger.DivRem(scaled, denominator, out BigInteger remainder);
        int half = (remainder * 2).CompareTo(denominator);
        if (half > 0 || (half == 0 && !quotient.IsEven))
        {
            quotient += 1;
        }

        if (quotient > (BigInteger.One << 53))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "too large to round exactly at two decimals here");
        }

        // Both operands are exact doubles, so the IEEE division is the double nearest quotient / 100.
        double rounded = (double)quotient / 100.0;
        return value < 0 ? -rounded : rounded;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    // gen.py's Box-Muller from two uniforms (only random() is used).
    private static double Normal(PythonRandom random)
    {
        double u1 = random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(6.283185307179586 * u2);
    }

    private double[] GenerateValues()
    {
        double[] values = new double[Samples];
        for (int j = 0; j < Series; j++)
        {
            PythonRandom random = new((ulong)((Seed * 1000003) + j));
            long offset = (long)j * Points;
            switch (KindOf(j))
            {
                case PeerMetricKind.Counter:
                    {
                        double rate = Math.Exp(Math.Log(20.0) + (1.0 * Normal(random)));
                        double sr = Math.Sqrt(rate);
                        long v = (long)(random.NextDouble() * 1_000_000);
                        for (int i = 0; i < Points; i++)
                        {
                            double increment = rate + (sr * Normal(random));
                            if (increment > 0)
                            {
                                v += (long)increment;
                            }

                            values[offset + i] = v;
                        }

                        break;
                    }

                case PeerMetricKind.Gauge:
                    {
                        double v = 5.0 + (60.0 * random.NextDouble());
                        double volatility = 0.2 + (1.5 * random.NextDouble());
                        for (int i = 0; i < Points; i++)
                        {
                            v += volatility * Normal(random);
                            if (v < 0.0)
                            {
                                v = -v;
                            }

                            if (v > 100.0)
                            {
                                v = 200.0 - v;
                            }

                            v = RoundTwoDecimals(v);
                            values[offset + i] = v;
                        }

                        break;
                    }

                default:
                    {
                        double mu = Math.Log(60.0) + (0.9 * Normal(random));
                        for (int i = 0; i < Points; i++)
                        {
                            double x = Math.Exp(mu + (0.35 * Normal(random)));
                            if (random.NextDouble() < 0.01)
                            {
                                x *= 3.0 + (12.0 * random.NextDouble());
                            }

                            long rounded = (long)(x + 0.5);
                            values[offset + i] = rounded >= 1 ? rounded : 1;
                        }

                        break;
                    }
            }
        }

        return values;
    }
}
