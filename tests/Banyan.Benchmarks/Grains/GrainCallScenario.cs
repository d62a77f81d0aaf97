using Banyan.Grains.Testing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Benchmarks.Grains;

/// <summary>The three call paths measured: inside one silo, silo to silo over HTTP/2 on loopback, client through a gateway over HTTP/2.</summary>
public enum CallPath
{
    InSilo,
    AcrossSilos,
    FromClient,
}

/// <summary>Sets up a cluster and a grain reference for one call path.</summary>
public sealed class GrainCallScenario : IAsyncDisposable
{
    private TestCluster _cluster = null!;

    public IEmptyGrain Grain { get; private set; } = null!;

    public static BytesValue Payload { get; } = new() { Value = ByteString.CopyFrom(new byte[1 << 20]) };

    public static async Task<GrainCallScenario> StartAsync(CallPath path)
    {
        GrainCallScenario scenario = new();
        TestClusterBuilder builder = new(path == CallPath.AcrossSilos ? (short)2 : (short)1);
        builder.Options.UseNetworkTransport = path != CallPath.InSilo;
        scenario._cluster = builder.Build();
        await scenario._cluster.DeployAsync();
        string key = Guid.NewGuid().ToString("N");
        // Activate on the last silo; call from the first silo (in-silo and across-silos) or from the client.
        await scenario._cluster.Silos[^1].GrainFactory.GetGrain<IEmptyGrain>(key).Ping();
        scenario.Grain = path switch
        {
            CallPath.FromClient => scenario._cluster.Client.GetGrain<IEmptyGrain>(key),
            _ => scenario._cluster.Silos[0].GrainFactory.GetGrain<IEmptyGrain>(key),
        };
        await scenario.Grain.Ping();
        return scenario;
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();
}
