using Banyan.Grains.Tests.Infrastructure;
using Banyan.Grains.Tests.TestGrains;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Tests.Serialization;

[Collection(TcpClusterDefinition.Name)]
public sealed class ProtobufAcrossSilosTests(TcpClusterFixture fixture)
{
    [Fact]
    public async Task A_protobuf_message_crosses_two_silos_over_tcp_and_comes_back_equal()
    {
        Struct message = new();
        message.Fields["name"] = Value.ForString("banyan ü ✓");
        message.Fields["count"] = Value.ForNumber(42.5);
        message.Fields["flags"] = Value.ForList(Value.ForBool(true), Value.ForNull(), Value.ForString(new string('x', 10_000)));
        Struct nested = new();
        nested.Fields["inner"] = Value.ForNumber(-1);
        message.Fields["nested"] = Value.ForStruct(nested);

        // The fixture's first two silos; a test of the same collection may add (and kill) a third.
        string[] nodes = ["Primary", "Secondary_1"];

        // Client → relay on the first silo → echo on the second silo → back: four serializations over TCP.
        EchoResult result = await NamedNodeCall.OnNodeAsync(nodes[0], () => fixture.Client.GetGrain<IProtoRelayGrain>("proto-1").Relay(message, nodes[1]))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(nodes[0], result.RelayNode);
        Assert.Equal(nodes[1], result.EchoNode);
        Assert.Equal(message, result.Message);
        Assert.NotSame(message, result.Message);
    }
}
