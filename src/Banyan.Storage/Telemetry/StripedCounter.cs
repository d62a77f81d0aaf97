namespace Banyan.Storage.Telemetry;

/// <summary>
/// A count that many threads add to on a hot path: each processor adds to its own cache line, and reading sums them.
/// One shared <see cref="Interlocked.Increment(ref long)"/> target written by every core moves its line from core to
/// core on each add; the decoded-block cache counted every hit that way, on every request of both cores (issue 12,
/// "Q2's per-request shard work" in docs/benchmarks.md).
/// </summary>
/// <remarks>Exact once the adds have returned (each add is atomic on its line); a read during adds sees some of them.</remarks>
internal sealed class StripedCounter
{
    // A 64-byte line holds 8 longs: each stripe uses the first of its line.
    private const int LongsPerLine = 8;
    private readonly long[] _cells;
    private readonly int _mask;

    /// <summary>A counter at 0 with a stripe for each processor (rounded up to a power of two).</summary>
    public StripedCounter()
    {
        int stripes = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount));
        _mask = stripes - 1;
        _cells = new long[(stripes + 1) * LongsPerLine]; // one line of padding before the first stripe
    }

    /// <summary>Adds one.</summary>
    public void Increment() => Interlocked.Increment(ref _cells[(((Thread.GetCurrentProcessorId() & _mask) + 1) * LongsPerLine)]);

    /// <summary>The sum of every add so far.</summary>
    public long Value
    {
        get
        {
            long sum = 0;
            for (int stripe = 0; stripe <= _mask; stripe++)
            {
                sum += Interlocked.Read(ref _cells[(stripe + 1) * LongsPerLine]);
            }

            return sum;
        }
    }
}
