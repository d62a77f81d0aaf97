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

    /// <summary>
    /// Waits for a signal that must come, failing clearly (not hanging) if it does not. If one of
    /// <paramref name="mustNotFinishFirst"/> (e.g. the call that should raise the signal) ends first,
    /// the failure carries its outcome, so a call that failed is not reported as a missing signal.
    /// </summary>
    public static async Task Expect(string name, string because, params Task[] mustNotFinishFirst)
    {
        Task signal = Wait(name);
        Task timeout = Task.Delay(TimeSpan.FromSeconds(10));
        List<Task> pending = [signal, timeout, .. mustNotFinishFirst];
        Task first = await Task.WhenAny(pending);
        if (first == signal)
        {
            return;
        }

        if (first != timeout)
        {
            string outcome = first.Exception?.InnerException?.ToString() ?? first.Status.ToString();
            Assert.Fail($"Signal '{name}' did not arrive ({because}): a call it depends on ended first with {outcome}; log: {LogOf(name)}");
        }

        Assert.Fail($"Signal '{name}' did not arrive within 10 s: {because}; log: {LogOf(name)}");
    }

    // Signal names are "<test key>:<event>"; the grains log under the test key.
    private static string LogOf(string name)
    {
        int colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && s_logs.TryGetValue(name[..colon], out ConcurrentQueue<string>? log)
            ? "[" + string.Join(", ", log) + "]"
            : "(none)";
    }

    /// <summary>Checks that a signal does not come within a short bounded wait (used only where a negative must be shown).</summary>
    public static async Task<bool> ArrivesWithin(string name, TimeSpan wait)
    {
        Task signal = Wait(name);
        return await Task.WhenAny(signal, Task.Delay(wait)) == signal;
    }
}
