using System.Diagnostics;

namespace Banyan.Benchmarks.Grains;

/// <summary>Figures of one call path: sequential latency (median, p99) and throughput with a fixed number of calls outstanding.</summary>
[GenerateSerializer]
[Alias("banyan.bench.CallFigures")]
public sealed record CallFigures(
    [property: Id(0)] double MedianMicroseconds,
    [property: Id(1)] double P99Microseconds,
    [property: Id(2)] double CallsPerSecond,
    [property: Id(3)] int SequentialCalls,
    [property: Id(4)] int WindowedCalls,
    [property: Id(5)] int Outstanding);

/// <summary>
/// Measures a call path, the same way from a grain and from a client: warm-up, then
/// <c>sequential</c> calls one at a time, each timed with <see cref="Stopwatch"/>, then
/// <c>windowed</c> calls keeping <c>outstanding</c> in flight (slot i always calls target i), timed as a whole.
/// </summary>
public static class CallMeasurement
{
    /// <summary>Runs the measurement over <paramref name="call"/>(slot).</summary>
    public static async Task<CallFigures> MeasureAsync(Func<int, Task> call, int sequential, int windowed, int outstanding)
    {
        // Warm-up touches every slot, so activations and connections exist before timing starts.
        for (int i = 0; i < Math.Max(500, sequential / 5) + outstanding; i++)
        {
            await call(i % outstanding);
        }

        double[] latencies = new double[sequential];
        for (int i = 0; i < sequential; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await call(0);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(latencies);
        int perSlot = windowed / outstanding;
        Task[] slots = new Task[outstanding];
        long windowStart = Stopwatch.GetTimestamp();
        for (int slot = 0; slot < outstanding; slot++)
        {
            slots[slot] = RunSlotAsync(call, slot, perSlot);
        }

        await Task.WhenAll(slots);
        double seconds = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
        return new CallFigures(
            latencies[latencies.Length / 2],
            latencies[(int)(latencies.Length * 0.99)],
            perSlot * outstanding / seconds,
            sequential,
            perSlot * outstanding,
            outstanding);
    }

    private static async Task RunSlotAsync(Func<int, Task> call, int slot, int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            await call(slot);
        }
    }
}
