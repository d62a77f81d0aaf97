using System.Collections.Concurrent;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// Named one-shot signals shared by tests and the grains they drive (grains run in the same
/// process). Tests use unique names so parallel tests never share a signal.
/// </summary>
public static class Signals
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> s_signals = new();
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> s_logs = new();

    public static TaskCompletionSource Get(string name) => s_signals.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public static void Set(string name) => Get(name).TrySetResult();

    public static Task Wait(string name) => Get(name).Task;

    public static ConcurrentQueue<string> Log(string name) => s_logs.GetOrAdd(name, _ => new ConcurrentQueue<string>());

    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>Waits for a signal that must come, failing clearly (not hanging) if it does not.</summary>
    public static async Task Expect(string name, string because)
    {
        Task signal = Wait(name);
        if (await Task.WhenAny(signal, Task.Delay(TimeSpan.FromSeconds(10))) != signal)
        {
            Assert.Fail($"Signal '{name}' did not arrive within 10 s: {because}");
        }
    }

    /// <summary>Checks that a signal does not come within a short bounded wait (used only where a negative must be shown).</summary>
    public static async Task<bool> ArrivesWithin(string name, TimeSpan wait)
    {
        Task signal = Wait(name);
        return await Task.WhenAny(signal, Task.Delay(wait)) == signal;
    }
}
