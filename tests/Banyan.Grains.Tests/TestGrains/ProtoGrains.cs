using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Hosting;
using Banyan.Grains.Placement;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Tests.TestGrains;

/// <summary>What a protobuf echo returned and where it ran.</summary>
[GenerateSerializer]
[Alias("banyan.tests.EchoResult")]
public sealed record EchoResult([property: Id(0)] Struct Message, [property: Id(1)] string EchoNode, [property: Id(2)] string RelayNode);

/// <summary>Returns the protobuf message it got, and its node (placed on a named node like a shard grain).</summary>
[Alias("banyan.tests.IProtoEchoGrain")]
public interface IProtoEchoGrain : IGrainWithStringKey
{
    /// <summary>Echoes the message.</summary>
    [Alias("Echo")]
    Task<EchoResult> Echo(Struct message);
}

/// <summary>Passes a protobuf message to an echo grain on another node and returns what came back.</summary>
[Alias("banyan.tests.IProtoRelayGrain")]
public interface IProtoRelayGrain : IGrainWithStringKey
{
    /// <summary>Relays <paramref name="message"/> to the echo grain placed on <paramref name="echoNode"/>.</summary>
    [Alias("Relay")]
    Task<EchoResult> Relay(Struct message, string echoNode);
}

/// <summary>Test grain.</summary>
[ShardPlacement]
public sealed class ProtoEchoGrain(IOptions<BanyanSiloOptions> options) : Grain, IProtoEchoGrain
{
    /// <inheritdoc/>
    public Task<EchoResult> Echo(Struct message) => Task.FromResult(new EchoResult(message, options.Value.NodeName, string.Empty));
}

/// <summary>Test grain.</summary>
[ShardPlacement]
public sealed class ProtoRelayGrain(IOptions<BanyanSiloOptions> options) : Grain, IProtoRelayGrain
{
    /// <inheritdoc/>
    public async Task<EchoResult> Relay(Struct message, string echoNode)
    {
        EchoResult echoed = await NamedNodeCall.OnNodeAsync(echoNode, () => GrainFactory.GetGrain<IProtoEchoGrain>(this.GetPrimaryKeyString()).Echo(message));
        return echoed with { RelayNode = options.Value.NodeName };
    }
}

/// <summary>Calls a grain with the shard placement hint set for that call only (what ShardGrainRouter does for shard grains).</summary>
public static class NamedNodeCall
{
    /// <summary>Runs <paramref name="call"/> with the owner hint <paramref name="node"/>.</summary>
    public static async Task<T> OnNodeAsync<T>(string node, Func<Task<T>> call)
    {
        RequestContext.Set(ShardGrainRouter.OwnerKey, node);
        return await call();
    }
}
