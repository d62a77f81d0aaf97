namespace Banyan.Conformance.Targets;

/// <summary>
/// A running target for the duration of a conformance run: the target and how to stop what was started for it
/// (a silo process stopped by its PID, a TestCluster, a channel).
/// </summary>
public sealed class ConformanceTargetLease : IAsyncDisposable
{
    private readonly Func<ValueTask>? _stop;
    private int _disposed;

    /// <summary>Wraps <paramref name="target"/>; <paramref name="stop"/> (if any) runs once on dispose.</summary>
    public ConformanceTargetLease(IBanyanTarget target, Func<ValueTask>? stop = null)
    {
        Target = target ?? throw new ArgumentNullException(nameof(target));
        _stop = stop;
    }

    /// <summary>The target to seed and query.</summary>
    public IBanyanTarget Target { get; }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _stop is not null)
        {
            await _stop();
        }
    }
}
