using System.Collections.Concurrent;
using Banyan.GrainInterfaces.Shards;
using Orleans.TestingHost;

namespace Banyan.Client.Tests.Infrastructure;

/// <summary>
/// A fault injected on the silos: the next N shard writes of a group fail with a timeout before the shard takes them (so
/// nothing of them is stored), as when a shard's owner does not answer in time. The measure and stream grains turn that
/// into retryable refusals of the elements concerned, which is what the client's retries are for. Silos of a TestCluster
/// share this process, so the switch is static; tests use their own group names.
/// </summary>
public sealed class ShardWriteFaults : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, int> s_failuresLeft = new();
    private static readonly ConcurrentDictionary<string, int> s_failed = new();

    /// <summary>Makes the next <paramref name="count"/> shard writes of <paramref name="group"/> fail.</summary>
    public static void FailNext(string group, int count) => s_failuresLeft[group] = count;

    /// <summary>How many shard writes of <paramref name="group"/> were failed so far.</summary>
    public static int Failed(string group) => s_failed.GetValueOrDefault(group);

    /// <inheritdoc/>
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is IShardGrain && context.MethodName == nameof(IShardGrain.Write))
        {
            string key = context.TargetId.Key.ToString()!;
            string group = key[..Math.Max(0, key.IndexOf('/', StringComparison.Ordinal))];
            if (s_failuresLeft.TryGetValue(group, out int left) && left > 0 && s_failuresLeft.TryUpdate(group, left - 1, left))
            {
                s_failed.AddOrUpdate(group, 1, (_, n) => n + 1);
                throw new TimeoutException($"injected fault: shard '{key}' did not answer in time");
            }
        }

        return context.Invoke();
    }
}

/// <summary>Adds <see cref="ShardWriteFaults"/> to every silo of the test cluster.</summary>
public sealed class ShardWriteFaultsConfigurator : ISiloConfigurator
{
    /// <inheritdoc/>
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddIncomingGrainCallFilter<ShardWriteFaults>();
}
