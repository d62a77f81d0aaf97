using System.Collections.Concurrent;
using Banyan.GrainInterfaces.Shards;
using Orleans.TestingHost;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// Holds the shard drops of a group at the shard until the test lets them go, as a silo that does not answer would:
/// <see cref="Close"/> returns the handle that opens the gate again when disposed. <see cref="CloseAfter"/> holds them
/// after the grain's <c>Drop</c> ran instead, before its answer goes back: the activation stays busy with the call, so
/// it lives on (it deactivates only once idle) while the test looks at it. Silos of a TestCluster share this process,
/// so the gates are static; tests use their own group names.
/// </summary>
public sealed class ShardDropGate : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, Gate> s_gates = new();

    /// <summary>Holds every drop of a shard of <paramref name="group"/> until the returned handle is disposed.</summary>
    public static Gate Close(string group) => Add(new Gate(group, afterDrop: false));

    /// <summary>Holds the answer of every drop of a shard of <paramref name="group"/>, once the drop ran, until the returned handle is disposed.</summary>
    public static Gate CloseAfter(string group) => Add(new Gate(group, afterDrop: true));

    private static Gate Add(Gate gate)
    {
        s_gates[gate.Group] = gate;
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
                if (gate.AfterDrop)
                {
                    try
                    {
                        await context.Invoke();
                    }
                    finally
                    {
                        await HoldAsync(gate); // a failed drop is held too: its activation lives on just the same
                    }

                    return;
                }

                await HoldAsync(gate);
            }
        }

        await context.Invoke();
    }

    private static async Task HoldAsync(Gate gate)
    {
        gate.Held.TrySetResult();
        await gate.Opened.Task.WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>One closed gate.</summary>
    public sealed class Gate(string group, bool afterDrop) : IDisposable
    {
        internal string Group => group;

        internal bool AfterDrop => afterDrop;

        internal TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once a drop is being held (with <see cref="CloseAfter"/>: once a drop ran).</summary>
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
