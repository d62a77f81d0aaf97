namespace Banyan.Grains;

/// <summary>Options of a grain timer (as Orleans 8.2+).</summary>
public readonly struct GrainTimerCreationOptions
{
    /// <summary>Creates options with a due time and a period.</summary>
    public GrainTimerCreationOptions(TimeSpan dueTime, TimeSpan period)
    {
        DueTime = dueTime;
        Period = period;
    }

    /// <summary>Time until the first tick; <see cref="Timeout.InfiniteTimeSpan"/> for never.</summary>
    public TimeSpan DueTime { get; init; }

    /// <summary>Time from the end of one tick to the start of the next; <see cref="Timeout.InfiniteTimeSpan"/> for a single tick.</summary>
    public TimeSpan Period { get; init; }

    /// <summary>Ticks interleave with requests (like <see cref="AlwaysInterleaveAttribute"/>) instead of waiting for the grain to be free.</summary>
    public bool Interleave { get; init; }

    /// <summary>Ticks count as activity and so keep the activation from idle collection.</summary>
    public bool KeepAlive { get; init; }
}
