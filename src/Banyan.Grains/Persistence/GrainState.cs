namespace Banyan.Grains;

/// <summary>A plain <see cref="IGrainState{T}"/>.</summary>
public sealed class GrainState<T> : IGrainState<T>
{
    /// <summary>Creates a record holding <paramref name="state"/>.</summary>
    public GrainState(T state)
    {
        State = state;
    }

    /// <inheritdoc/>
    public T State { get; set; }

    /// <inheritdoc/>
    public string? ETag { get; set; }

    /// <inheritdoc/>
    public bool RecordExists { get; set; }
}
