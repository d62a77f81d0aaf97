using System.Collections.Concurrent;
using Banyan.GrainInterfaces.Shards;
using Orleans.TestingHost;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// Holds the shard drops of a group at the shard until the test lets them go, as a silo that does not answer would:
/// <see cref="Close"/> returns the handle that opens the gate again when disposed. Silos of a TestCluster share this
/// process, so the gates are static; tests use their own group names.
/// </summary>
public sealed class ShardDropGate : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, Gate> s_gates = new();

    /// <summary>Holds every drop of a shard of <paramref name="group"/> until the returned handle is disposed.</summary>
    public static Gate Close(string group)
    {
        Gate gate = new(group);
        s_gates[group] = gate;
        return gate;
    }

    /// <inheritdoc/>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is IShardGrain && context.MethodName == nameof(IShardGrain.Drop))
        {
            string key = context.TargetId.Key.ToString()!;
            if (s_gates.TryGetValue(key[..Math.Max(0, key.IndexOf('/', StringComparison.Ordinal))], out Gate? gate))
            {
                gate.Held.TrySetResult();
                await gate.Opened.Task.WaitAsync(TimeSpan.FromMinutes(1));
            }
        }

        await context.Invoke();
    }

    /// <summary>One closed gate.</summary>
    public sealed class Gate(string group) : IDisposable
    {
        internal TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once a drop is being held.</summary>
        public Task DropHeld => Held.Task;

        /// <summary>Opens the gate: the held drops go on.</summary>
        public void Dispose()
        {
            s_gates.TryRemove(group, out _);
            Opened.TrySetResult();
        }
    }
}

/// <summary>Adds <see cref="ShardDropGate"/> to every silo of the test cluster.</summary>
public sealed class ShardDropGateConfigurator : ISiloConfigurator
{
    /// <inheritdoc/>
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddIncomingGrainCallFilter<ShardDropGate>();
}
