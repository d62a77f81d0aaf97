using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Placement;

namespace Banyan.Benchmarks.Grains;

/// <summary>The call target: an empty method.</summary>
[Alias("banyan.bench.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    /// <summary>Does nothing.</summary>
    [Alias("Ping")]
    Task Ping();
}

/// <summary>Calls ping grains on a node and measures the calls from inside the silo.</summary>
[Alias("banyan.bench.IDriverGrain")]
public interface IDriverGrain : IGrainWithIntegerKey
{
    /// <summary>Measures calls from this grain to ping grains placed on <paramref name="targetNode"/>.</summary>
    [Alias("Measure")]
    Task<CallFigures> Measure(string targetNode, long firstTargetKey, int sequential, int windowed, int outstanding);
}

/// <summary>Placed on a named node (the production shard placement), so a benchmark chooses same-silo or cross-silo.</summary>
[ShardPlacement]
public sealed class PingGrain : Grain, IPingGrain
{
    /// <inheritdoc/>
    public Task Ping() => Task.CompletedTask;
}

/// <summary>Placed on a named node; measures grain-to-grain calls.</summary>
[ShardPlacement]
public sealed class DriverGrain : Grain, IDriverGrain
{
    /// <inheritdoc/>
    public Task<CallFigures> Measure(string targetNode, long firstTargetKey, int sequential, int windowed, int outstanding)
    {
        // Fresh keys per run: a grain already active elsewhere would not be placed on targetNode.
        IPingGrain[] targets = [.. Enumerable.Range(0, outstanding).Select(i => GrainFactory.GetGrain<IPingGrain>(firstTargetKey + i))];
        return CallMeasurement.MeasureAsync(slot => OnNode.CallAsync(targetNode, () => targets[slot].Ping()), sequential, windowed, outstanding);
    }
}

/// <summary>Sets the placement hint for one call (what ShardGrainRouter does for shard grains).</summary>
public static class OnNode
{
    /// <summary>Runs <paramref name="call"/> with the owner hint <paramref name="node"/>.</summary>
    public static async Task CallAsync(string node, Func<Task> call)
    {
        RequestContext.Set(ShardGrainRouter.OwnerKey, node);
        await call();
    }

    /// <summary>Runs <paramref name="call"/> with the owner hint <paramref name="node"/>.</summary>
    public static async Task<T> CallAsync<T>(string node, Func<Task<T>> call)
    {
        RequestContext.Set(ShardGrainRouter.OwnerKey, node);
        return await call();
    }
}
