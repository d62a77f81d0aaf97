using System.Globalization;

namespace Banyan.Conformance;

/// <summary>
/// Time bounds and switches of a conformance run. Defaults follow upstream's test flags
/// (<c>pkg/test/flags/flags.go</c>: eventually 10 s, stability 2 s, quick stability 200 ms) and its per-query
/// context timeout of 10 s (<c>test/cases/*/data/data.go</c>).
/// </summary>
public sealed record ConformanceOptions
{
    /// <summary>Environment variable overriding <see cref="EventuallyTimeout"/>, in seconds.</summary>
    public const string TimeoutVariable = "BANYAN_CONFORMANCE_TIMEOUT_S";

    /// <summary>How long a case is retried until it passes ("eventually"; writes become visible asynchronously).</summary>
    public TimeSpan EventuallyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause between two attempts of a case.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// After a case passed on its first attempt, it must keep passing for this long (upstream
    /// <c>QuickStabilityTimeout</c>, <c>pkg/test/eventually.go</c>).
    /// </summary>
    public TimeSpan QuickStabilityWindow { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>After a case passed only on a retry, it must keep passing for this long (upstream <c>StabilityTimeout</c>).</summary>
    public TimeSpan StabilityWindow { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bound of one query RPC.</summary>
    public TimeSpan RpcTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound of one seeding call (a schema create or a whole write stream).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Upstream reruns each passing query with <c>trace: true</c> and expects non-empty <c>trace.spans</c> (its
    /// <c>VerifyFn</c>s; the fixtures README calls it optional). Off in a bare options object (the harness's own tests),
    /// on in <see cref="FromEnvironment"/>, which the suites' runs against Banyan use.
    /// </summary>
    public bool CheckQueryTrace { get; init; }

    /// <summary>How many differences a failure report lists (all are counted).</summary>
    public int MaxDifferences { get; init; } = 10;

    /// <summary>The defaults with upstream's trace check on, and <see cref="TimeoutVariable"/> applied when set.</summary>
    public static ConformanceOptions FromEnvironment()
    {
        ConformanceOptions options = new() { CheckQueryTrace = true };
        string? timeout = Environment.GetEnvironmentVariable(TimeoutVariable);
        if (!string.IsNullOrWhiteSpace(timeout))
        {
            if (!double.TryParse(timeout, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds <= 0)
            {
                throw new FormatException($"{TimeoutVariable} must be a positive number of seconds, not '{timeout}'.");
            }

            options = options with { EventuallyTimeout = TimeSpan.FromSeconds(seconds) };
        }

        return options;
    }
}
