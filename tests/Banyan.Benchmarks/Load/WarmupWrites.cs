using System.Diagnostics;
using Grpc.Net.Client;

namespace Banyan.Benchmarks.Load;

/// <summary>What a silo's untimed warm-up writes took: their data points, wall time and the silo's CPU.</summary>
/// <param name="Points">Data points written (every one acknowledged).</param>
/// <param name="Seconds">First message sent to last response.</param>
/// <param name="SiloCpuSeconds">The silo's CPU meanwhile.</param>
/// <param name="Settled">Whether the data folder went quiet after the group's deletion (within 30 s).</param>
public sealed record WarmupResult(long Points, double Seconds, double SiloCpuSeconds, bool Settled);

/// <summary>
/// Untimed writes before a timed write phase (<c>load --write-warmup N</c>, <c>load-pair --write-warmup N</c>): a
/// dataset of another seed, N points of each series, written through the same API into <see cref="PeerSchema.WarmupGroup"/>
/// (the measured group's measures and TopN aggregation under another group), then that group deleted with its data and
/// the data folder left to go quiet. The timed phase that follows measures a silo whose JIT has compiled the write path,
/// as in a silo that has been running, on a data folder that again holds nothing of the warm-up's.
/// </summary>
public static class WarmupWrites
{
    /// <summary>The dataset of the warm-up writes: the measured one's shape, another seed.</summary>
    public static PeerDataset Dataset(int series, int pointsPerSeries, long seed) => new(series, pointsPerSeries, seed + 1);

    /// <summary>
    /// Creates the warm-up group in <paramref name="silo"/>, writes <paramref name="writer"/>'s dataset into it (a writer
    /// made for <see cref="PeerSchema.WarmupGroup"/> and prepared), deletes the group and waits until the silo's data
    /// folder has not changed for 3 s.
    /// </summary>
    /// <exception cref="InvalidOperationException">A warm-up point was not acknowledged.</exception>
    public static async Task<WarmupResult> RunAsync(SiloChild silo, GrpcChannel channel, LoadWriter writer, PeerDataset dataset, uint shards, uint ttlDays, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        await PeerSchema.CreateAsync(channel, shards, ttlDays, dataset.Points, cancellationToken, PeerSchema.WarmupGroup);
        double cpu0 = silo.CpuSeconds();
        Stopwatch writing = Stopwatch.StartNew();
        LoadWriteResult written = await writer.WriteAsync(channel, silo.GrpcAddress, cancellationToken);
        writing.Stop();
        double cpu = silo.CpuSeconds() - cpu0;
        if (written.Succeeded != dataset.Samples)
        {
            throw new InvalidOperationException($"warm-up: {written.Succeeded:N0} of {dataset.Samples:N0} data points acknowledged (first failure: {written.FirstFailure})");
        }

        await PeerSchema.DeleteAsync(channel, PeerSchema.WarmupGroup, cancellationToken);
        bool settled = await DataFolderQuiet.WaitAsync(silo.DataRoot, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30));
        return new WarmupResult(dataset.Samples, writing.Elapsed.TotalSeconds, cpu, settled);
    }
}
