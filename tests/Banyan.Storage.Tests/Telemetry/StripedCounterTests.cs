using Banyan.Storage.Telemetry;

namespace Banyan.Storage.Tests.Telemetry;

public sealed class StripedCounterTests
{
    [Fact]
    public void Adds_from_many_threads_at_once_are_all_counted()
    {
        StripedCounter counter = new();
        Assert.Equal(0, counter.Value);

        // More threads than processors, so stripes are shared and threads move between processors while they add.
        const int Threads = 8;
        const int AddsEach = 100_000;
        using Barrier start = new(Threads);
        Thread[] threads = [.. Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < AddsEach; i++)
            {
                counter.Increment();
            }
        }))];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Equal((long)Threads * AddsEach, counter.Value);
    }
}
