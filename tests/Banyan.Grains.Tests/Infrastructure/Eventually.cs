using System.Diagnostics;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>Bounded polling: tests wait for a condition with a deadline, never forever.</summary>
public static class Eventually
{
    /// <summary>Calls <paramref name="probe"/> until it returns a value <paramref name="done"/> accepts, or fails after <paramref name="timeout"/> with the last value in the message.</summary>
    public static async Task<T> MatchAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        Stopwatch watch = Stopwatch.StartNew();
        T last;
        while (true)
        {
            last = await probe().WaitAsync(timeout);
            if (done(last))
            {
                return last;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{what}: not reached within {timeout}; last value: {last}");
            }

            await Task.Delay(100);
        }
    }
}
