using System.Collections.Concurrent;
using Banyan.Grains.Testing;
using Banyan.Grains.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Configuration;

namespace Banyan.Grains.Tests;

public interface ISchemaPublisherGrain : IGrainWithStringKey
{
    Task Publish(string revision);
}

public sealed class SchemaPublisherGrain : Grain, ISchemaPublisherGrain
{
    public Task Publish(string revision)
        => this.GetStreamProvider("schema").GetStream<StringValue>(StreamId.Create("revisions", this.GetPrimaryKeyString())).OnNextAsync(new StringValue { Value = revision });
}

public interface ISchemaCacheGrain : IGrainWithStringKey
{
    Task<string[]> Seen(string topic);

    Task Subscribe(string topic);
}

/// <summary>Subscribes to a topic; every delivery is a turn of this grain.</summary>
[PreferLocalPlacement]
public sealed class SchemaCacheGrain : Grain, ISchemaCacheGrain
{
    private readonly List<string> _seen = [];
    private int _inTurn;

    public async Task Subscribe(string topic)
    {
        await this.GetStreamProvider("schema").GetStream<StringValue>(StreamId.Create("revisions", topic)).SubscribeAsync(async (item, token) =>
        {
            if (Interlocked.Exchange(ref _inTurn, 1) != 0)
            {
                _seen.Add("overlap");
            }

            await Task.Yield();
            _seen.Add(item.Value + "#" + token!.SequenceNumber);
            Interlocked.Exchange(ref _inTurn, 0);
            Signals.Set(this.GetPrimaryKeyString() + ":" + item.Value);
        });
    }

    public Task<string[]> Seen(string topic) => Task.FromResult(_seen.ToArray());
}

public sealed class StreamTests
{
    private sealed class ClientStreams : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddMemoryStreams("schema");
    }

    private static async Task<TestCluster> StartAsync()
    {
        TestClusterBuilder builder = new(2);
        builder.AddSiloBuilderConfigurator(new SiloConfigurator(silo => silo.AddMemoryStreams("schema")));
        builder.AddClientBuilderConfigurator(new ClientStreams());
        TestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [Fact]
    public async Task A_client_receives_events_a_grain_publishes_in_order()
    {
        await using TestCluster cluster = await StartAsync();
        string topic = Signals.NewId();
        ConcurrentQueue<string> received = new();
        StreamSubscriptionHandle<StringValue> handle = await cluster.Client.GetStreamProvider("schema").GetStream<StringValue>(StreamId.Create("revisions", topic))
            .SubscribeAsync((item, token) =>
            {
                received.Enqueue(item.Value + "#" + token!.SequenceNumber);
                if (received.Count == 3)
                {
                    Signals.Set(topic + ":three");
                }

                return Task.CompletedTask;
            });
        ISchemaPublisherGrain publisher = cluster.Client.GetGrain<ISchemaPublisherGrain>(topic);
        await publisher.Publish("r1");
        await publisher.Publish("r2");
        await publisher.Publish("r3");
        await Signals.Expect(topic + ":three", "the client gets all three revisions");
        Assert.Equal(["r1#1", "r2#2", "r3#3"], received);
        await handle.UnsubscribeAsync();
    }

    [Fact]
    public async Task A_grain_on_another_silo_receives_events_as_turns()
    {
        await using TestCluster cluster = await StartAsync();
        string topic = Signals.NewId();
        string subscriberKey = Signals.NewId();
        ISchemaCacheGrain cache = cluster.Silos[1].GrainFactory.GetGrain<ISchemaCacheGrain>(subscriberKey);
        await cache.Subscribe(topic);
        ISchemaPublisherGrain publisher = cluster.Silos[0].GrainFactory.GetGrain<ISchemaPublisherGrain>(topic);
        for (int i = 1; i <= 5; i++)
        {
            await publisher.Publish("v" + i);
        }

        await Signals.Expect(subscriberKey + ":v5", "the subscriber grain sees the last revision");
        Assert.Equal(["v1#1", "v2#2", "v3#3", "v4#4", "v5#5"], await cache.Seen(topic));
    }
}
