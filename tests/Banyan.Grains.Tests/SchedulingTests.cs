using Banyan.Grains.Testing;
using Banyan.Grains.Tests.Grains;
using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests;

[Collection(SharedClusterDefinition.Name)]
public sealed class SchedulingTests(ClusterFixture fixture)
{
    // Long enough for a wrongly started call to show up; used only to show that something does NOT happen.
    private static readonly TimeSpan s_negativeWait = TimeSpan.FromMilliseconds(300);

    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Non_reentrant_calls_run_one_at_a_time_in_arrival_order_across_awaits()
    {
        string key = Signals.NewId();
        IGatedGrain grain = Cluster.Client.GetGrain<IGatedGrain>(key);
        Task first = grain.Work("a");
        await Signals.Expect(key + ":started:a", "the first call starts", first);
        Task second = grain.Work("b");
        Task third = grain.Work("c");
        Assert.False(await Signals.ArrivesWithin(key + ":started:b", s_negativeWait), "b started while a was awaiting");
        Signals.Set(key + ":release:a");
        await first;
        await Signals.Expect(key + ":started:b", "b starts once a is done", second, third);
        Signals.Set(key + ":release:b");
        Signals.Set(key + ":release:c");
        await Task.WhenAll(second, third);
        Assert.Equal(["start:a", "end:a", "start:b", "end:b", "start:c", "end:c"], Signals.Log(key));
    }

    [Fact]
    public async Task Calls_sent_one_after_another_run_in_send_order()
    {
        // Send order is the arrival order at the activation only if no hop (client to gateway, gateway
        // to host) lets a later message overtake an earlier one; under CPU load that is where it shows.
        for (int round = 0; round < 200; round++)
        {
            string key = Signals.NewId();
            IGatedGrain grain = Cluster.Client.GetGrain<IGatedGrain>(key);
            Task first = grain.Work("a");
            await Signals.Expect(key + ":started:a", "the first call starts", first);
            List<Task> calls = [first];
            List<string> expected = ["start:a", "end:a"];
            for (int i = 0; i < 10; i++)
            {
                calls.Add(grain.Work("n" + i));
                expected.Add("start:n" + i);
                expected.Add("end:n" + i);
                Signals.Set(key + ":release:n" + i);
            }

            Signals.Set(key + ":release:a");
            await Task.WhenAll(calls);
            Assert.Equal(expected, Signals.Log(key));
        }
    }

    [Fact]
    public async Task Reentrant_grains_interleave_calls_at_awaits()
    {
        string key = Signals.NewId();
        IReentrantGatedGrain grain = Cluster.Client.GetGrain<IReentrantGatedGrain>(key);
        Task first = grain.Work("a");
        await Signals.Expect(key + ":started:a", "a starts", first);
        Task second = grain.Work("b");
        await Signals.Expect(key + ":started:b", "b interleaves while a awaits", first, second);
        Signals.Set(key + ":release:b");
        await second;
        Signals.Set(key + ":release:a");
        await first;
        Assert.Equal(["start:a", "start:b", "end:b", "end:a"], Signals.Log(key));
    }

    [Fact]
    public async Task Read_only_calls_interleave_with_each_other_but_not_with_writes()
    {
        string key = Signals.NewId();
        IGatedGrain grain = Cluster.Client.GetGrain<IGatedGrain>(key);
        Task r1 = grain.Read("r1");
        await Signals.Expect(key + ":started:r1", "r1 starts", r1);
        Task r2 = grain.Read("r2");
        await Signals.Expect(key + ":started:r2", "a second read-only call interleaves with the first", r1, r2);
        Task write = grain.Work("w");
        Assert.False(await Signals.ArrivesWithin(key + ":started:w", s_negativeWait), "a write started while reads ran");
        Signals.Set(key + ":release:r1");
        Signals.Set(key + ":release:r2");
        await Task.WhenAll(r1, r2);
        await Signals.Expect(key + ":started:w", "the write starts after the reads", write);
        Signals.Set(key + ":release:w");
        await write;
    }

    [Fact]
    public async Task A_write_blocks_read_only_calls_that_arrive_after_it()
    {
        string key = Signals.NewId();
        IGatedGrain grain = Cluster.Client.GetGrain<IGatedGrain>(key);
        Task write = grain.Work("w");
        await Signals.Expect(key + ":started:w", "w starts", write);
        Task read = grain.Read("r");
        Assert.False(await Signals.ArrivesWithin(key + ":started:r", s_negativeWait), "a read interleaved with a write");
        Signals.Set(key + ":release:w");
        Signals.Set(key + ":release:r");
        await Task.WhenAll(write, read);
        Assert.Equal(["start:w", "end:w", "start:r", "end:r"], Signals.Log(key));
    }

    [Fact]
    public async Task AlwaysInterleave_calls_run_even_while_a_non_reentrant_call_awaits()
    {
        string key = Signals.NewId();
        IGatedGrain grain = Cluster.Client.GetGrain<IGatedGrain>(key);
        Task work = grain.Work("w");
        await Signals.Expect(key + ":started:w", "w starts", work);
        Task urgent = grain.Urgent("u");
        await Signals.Expect(key + ":started:u", "the always-interleave call runs at once", work, urgent);
        Signals.Set(key + ":release:u");
        await urgent;
        Signals.Set(key + ":release:w");
        await work;
    }

    [Fact]
    public async Task Stateless_workers_run_several_activations_in_parallel_up_to_the_limit()
    {
        string key = Signals.NewId();
        IWorkerGrain worker = Cluster.Primary.GrainFactory.GetGrain<IWorkerGrain>(key);
        Task<string>[] calls = [worker.Work("1"), worker.Work("2"), worker.Work("3")];
        // All three run at once, which one activation could not do (it is not reentrant).
        await Signals.Expect(key + ":started:1", "worker 1 runs", calls);
        await Signals.Expect(key + ":started:2", "worker 2 runs in parallel", calls);
        await Signals.Expect(key + ":started:3", "worker 3 runs in parallel", calls);
        Task<string> fourth = worker.Work("4");
        Assert.False(await Signals.ArrivesWithin(key + ":started:4", s_negativeWait), "a fourth activation beyond [StatelessWorker(3)]");
        foreach (string n in new[] { "1", "2", "3", "4" })
        {
            Signals.Set(key + ":release:" + n);
        }

        string[] instances = await Task.WhenAll(calls);
        Assert.Equal(3, instances.Distinct().Count());
        Assert.Contains(await fourth, instances);
    }
}
