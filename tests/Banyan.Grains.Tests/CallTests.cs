using Banyan.Grains.Testing;
using Banyan.Grains.Tests.Grains;
using Banyan.Grains.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Tests;

[Collection(SharedClusterDefinition.Name)]
public sealed class CallTests(ClusterFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Calls_reach_one_activation_per_key_and_return_results()
    {
        string key = Signals.NewId();
        ICounterGrain counter = Cluster.Client.GetGrain<ICounterGrain>(key);
        Assert.Equal(2, await counter.Add(2));
        Assert.Equal(5, await counter.Add(3));
        // The same grain reached from a silo's factory is the same activation.
        Assert.Equal(5, await Cluster.Primary.GrainFactory.GetGrain<ICounterGrain>(key).Get());
        Assert.Equal(0, await Cluster.Client.GetGrain<ICounterGrain>(key + "-other").Get());
        Assert.Equal(key, await counter.GetKey());
        Assert.Equal(key, counter.GetPrimaryKeyString());
    }

    [Fact]
    public async Task ValueTask_and_async_enumerable_results_round_trip()
    {
        ICounterGrain counter = Cluster.Client.GetGrain<ICounterGrain>(Signals.NewId());
        Assert.Equal(84L, await counter.Twice(42));
        await counter.Add(7);
        await counter.Reset();
        Assert.Equal(0, await counter.Get());
        List<string> items = [];
        await foreach (string item in counter.Range(4))
        {
            items.Add(item);
        }

        Assert.Equal(["item0", "item1", "item2", "item3"], items);
    }

    [Fact]
    public async Task Integer_keys_are_exposed_by_GetPrimaryKeyLong()
    {
        IAccountGrain account = Cluster.Client.GetGrain<IAccountGrain>(-12345678901L);
        Assert.Equal(-12345678901L, await account.GetId());
        Assert.Equal(-12345678901L, account.GetPrimaryKeyLong());
    }

    [Fact]
    public async Task Grain_exceptions_propagate_with_their_type_and_message()
    {
        ICounterGrain counter = Cluster.Client.GetGrain<ICounterGrain>(Signals.NewId());
        InvalidOperationException known = await Assert.ThrowsAsync<InvalidOperationException>(() => counter.Fail("boom 1"));
        Assert.Equal("boom 1", known.Message);
        CustomGrainException custom = await Assert.ThrowsAsync<CustomGrainException>(() => counter.FailWithCustom("boom 2"));
        Assert.Equal("boom 2", custom.Message);
        RemoteGrainException remote = await Assert.ThrowsAsync<RemoteGrainException>(() => counter.FailUnrecreatable("boom 3"));
        Assert.Equal(typeof(UnrecreatableException).FullName, remote.RemoteExceptionType);
        Assert.Contains("boom 3 code 42", remote.Message, StringComparison.Ordinal);
        // The grain is still usable after throwing.
        Assert.Equal(1, await counter.Add(1));
    }

    [Fact]
    public async Task Arguments_are_copied_at_the_call_so_later_mutation_does_not_reach_the_grain()
    {
        IMessageHolderGrain holder = Cluster.Primary.GrainFactory.GetGrain<IMessageHolderGrain>(Signals.NewId());
        StringValue message = new() { Value = "original" };
        await holder.Store(message);
        message.Value = "mutated by the caller";
        StringValue loaded = await holder.Load();
        Assert.Equal("original", loaded.Value);
        Assert.NotSame(message, loaded);
        // Results are copies too: mutating one does not change the grain's state.
        loaded.Value = "mutated result";
        Assert.Equal("original", (await holder.Load()).Value);
    }

    [Fact]
    public async Task Arrays_lists_bytes_and_grain_references_are_serialized()
    {
        IMessageHolderGrain holder = Cluster.Client.GetGrain<IMessageHolderGrain>(Signals.NewId());
        Assert.Equal(10, await holder.Sum([1, 2, 3, 4]));
        Assert.Equal(["a", "b"], await holder.Echo(["a", "b"]));
        byte[] payload = [1, 2, 3, 255];
        byte[] echoed = await holder.EchoBytes(payload);
        Assert.Equal(payload, echoed);
        Assert.NotSame(payload, echoed);
        string counterKey = Signals.NewId();
        Assert.Equal("3@" + counterKey, await holder.CallCounter(Cluster.Client.GetGrain<ICounterGrain>(counterKey), 3));
    }

    [Fact]
    public void A_non_serializable_parameter_fails_clearly_when_the_reference_is_created()
    {
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => Cluster.Client.GetGrain<IBadGrain>("x"));
        Assert.Contains("IBadGrain.Take", e.Message, StringComparison.Ordinal);
        Assert.Contains("'value'", e.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(NotSerializable).FullName!, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneWay_calls_return_before_the_grain_finishes()
    {
        string signal = Signals.NewId();
        IOneWayGrain grain = Cluster.Client.GetGrain<IOneWayGrain>(signal);
        await grain.Fire(signal); // returns although the grain waits for the release below
        Assert.False(Signals.Wait(signal + ":done").IsCompleted);
        Signals.Set(signal + ":release");
        await Signals.Expect(signal + ":done", "the one-way call still runs on the grain");
    }

    [Fact]
    public async Task A_protobuf_payload_of_one_MiB_round_trips()
    {
        byte[] data = new byte[1 << 20];
        new Random(1234).NextBytes(data);
        IMessageHolderGrain holder = Cluster.Client.GetGrain<IMessageHolderGrain>(Signals.NewId());
        BytesValue echoed = await holder.EchoPayload(new BytesValue { Value = ByteString.CopyFrom(data) });
        Assert.True(echoed.Value.Span.SequenceEqual(data));
    }
}
