using System.Globalization;
using Banyan.Benchmarks.Load;

namespace Banyan.Benchmarks.EngineQueries;

/// <summary>Q1's answer: the points of one series over the hour, in time order.</summary>
/// <param name="TimestampsMs">Unix milliseconds.</param>
/// <param name="Values">The values.</param>
public sealed record Q1Answer(long[] TimestampsMs, double[] Values);

/// <summary>Q2's answer: per 5-minute bucket, the SUM and COUNT of the latencies of one service (the mean is SUM / COUNT).</summary>
/// <param name="Sums">Exact integer sums, one per bucket.</param>
/// <param name="Counts">Points per bucket.</param>
public sealed record Q2Answer(long[] Sums, long[] Counts);

/// <summary>Q3's answer: the ten endpoints with the highest maximum latency, highest first, ties by endpoint id (ordinal).</summary>
/// <param name="Top">(endpoint_id, maximum) pairs.</param>
public sealed record Q3Answer(IReadOnlyList<(string Endpoint, long Max)> Top);

/// <summary>
/// The answers of the three peer queries (gen.py's Q1–Q3) computed from the dataset itself, and the exact check of an
/// answer against them: Q1 point by point (timestamp and value bit for bit), Q2 bucket by bucket (integer SUM and COUNT,
/// so the mean is exact too), Q3 the ten endpoints and their maxima in order (ties ordered by endpoint id on both sides).
/// </summary>
public sealed class PeerAnswers
{
    /// <summary>Q2's bucket width in milliseconds (gen.py's <c>bucket_ms</c>).</summary>
    public const long BucketMs = 300_000;

    /// <summary>Q1's series: the gauge of entity 0 (gen.py).</summary>
    public const int Q1Series = 1;

    private readonly PeerDataset _dataset;

    /// <summary>Computes the expected answers of <paramref name="dataset"/>.</summary>
    public PeerAnswers(PeerDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _dataset = dataset;
        Q1 = new Q1Answer(
            [.. Enumerable.Range(0, dataset.Points).Select(dataset.TimestampMs)],
            [.. Enumerable.Range(0, dataset.Points).Select(i => dataset.Value(Q1Series, i))]);

        long[] sums = new long[Buckets(dataset)];
        long[] counts = new long[sums.Length];
        Dictionary<string, long> max = new(StringComparer.Ordinal);
        for (int j = (int)PeerMetricKind.Latency; j < dataset.Series; j += 3)
        {
            bool service0 = dataset.ServiceOf(j) == 0;
            string endpoint = dataset.TagsOf(j).EndpointId;
            for (int i = 0; i < dataset.Points; i++)
            {
                long v = (long)dataset.Value(j, i);
                if (service0)
                {
                    int b = (int)(i * dataset.StepMs / BucketMs);
                    sums[b] += v;
                    counts[b]++;
                }

                if (!max.TryGetValue(endpoint, out long m) || v > m)
                {
                    max[endpoint] = v;
                }
            }
        }

        Q2 = new Q2Answer(sums, counts);
        Q3 = new Q3Answer(Top10(max));
    }

    /// <summary>The expected Q1 answer.</summary>
    public Q1Answer Q1 { get; }

    /// <summary>The expected Q2 answer.</summary>
    public Q2Answer Q2 { get; }

    /// <summary>The expected Q3 answer.</summary>
    public Q3Answer Q3 { get; }

    /// <summary>Q2's buckets over the dataset's span: [start + k·5 min, start + (k + 1)·5 min).</summary>
    public static int Buckets(PeerDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        long span = dataset.Points * dataset.StepMs;
        return (int)((span + BucketMs - 1) / BucketMs);
    }

    /// <summary>The ten highest maxima, highest first, ties by endpoint id (ordinal): the order both sides use.</summary>
    public static List<(string Endpoint, long Max)> Top10(IEnumerable<KeyValuePair<string, long>> maxima) =>
        [.. maxima.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(10).Select(kv => (kv.Key, kv.Value))];

    /// <summary>Null when <paramref name="got"/> is Q1's answer exactly; what differs first otherwise.</summary>
    public string? CheckQ1(Q1Answer got)
    {
        ArgumentNullException.ThrowIfNull(got);
        if (got.TimestampsMs.Length != Q1.TimestampsMs.Length || got.Values.Length != got.TimestampsMs.Length)
        {
            return $"Q1: {got.TimestampsMs.Length} points, expected {Q1.TimestampsMs.Length}";
        }

        for (int i = 0; i < got.TimestampsMs.Length; i++)
        {
            if (got.TimestampsMs[i] != Q1.TimestampsMs[i] || BitConverter.DoubleToInt64Bits(got.Values[i]) != BitConverter.DoubleToInt64Bits(Q1.Values[i]))
            {
                return string.Create(CultureInfo.InvariantCulture, $"Q1: point {i} is ({got.TimestampsMs[i]}, {got.Values[i]:R}), expected ({Q1.TimestampsMs[i]}, {Q1.Values[i]:R})");
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="got"/> is Q2's answer exactly; what differs first otherwise.</summary>
    public string? CheckQ2(Q2Answer got)
    {
        ArgumentNullException.ThrowIfNull(got);
        if (got.Sums.Length != Q2.Sums.Length || got.Counts.Length != Q2.Counts.Length)
        {
            return $"Q2: {got.Sums.Length} buckets, expected {Q2.Sums.Length}";
        }

        for (int b = 0; b < got.Sums.Length; b++)
        {
            if (got.Sums[b] != Q2.Sums[b] || got.Counts[b] != Q2.Counts[b])
            {
                return string.Create(CultureInfo.InvariantCulture, $"Q2: bucket {b} (from {_dataset.StartMs + (b * BucketMs)} ms) has sum {got.Sums[b]} of {got.Counts[b]} points, expected {Q2.Sums[b]} of {Q2.Counts[b]}");
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="got"/> is Q3's answer exactly; what differs first otherwise.</summary>
    public string? CheckQ3(Q3Answer got)
    {
        ArgumentNullException.ThrowIfNull(got);
        if (got.Top.Count != Q3.Top.Count)
        {
            return $"Q3: {got.Top.Count} endpoints, expected {Q3.Top.Count}";
        }

        for (int i = 0; i < got.Top.Count; i++)
        {
            if (got.Top[i] != Q3.Top[i])
            {
                return $"Q3: rank {i + 1} is {got.Top[i].Endpoint} = {got.Top[i].Max}, expected {Q3.Top[i].Endpoint} = {Q3.Top[i].Max}";
            }
        }

        return null;
    }
}
