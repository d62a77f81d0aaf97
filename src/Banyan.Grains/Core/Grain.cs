using Banyan.Grains.Runtime;

namespace Banyan.Grains;

/// <summary>
/// Base class of grain implementations (as Orleans' <c>Grain</c>). The runtime creates one
/// instance per activation and runs its methods one turn at a time on the activation's scheduler.
/// </summary>
public abstract class Grain : IAddressable
{
    private readonly ActivationData _activation;

    /// <summary>Binds the grain to the activation the runtime is constructing.</summary>
    protected Grain()
    {
        _activation = ActivationData.Constructing
            ?? throw new InvalidOperationException($"Grain '{GetType().Name}' was created outside the grain runtime; obtain grains through IGrainFactory.GetGrain.");
    }

    internal ActivationData Activation => _activation;

    /// <summary>The grain factory of the silo hosting this activation.</summary>
    public IGrainFactory GrainFactory => _activation.Silo.GrainFactory;

    /// <summary>The services of the silo hosting this activation.</summary>
    public IServiceProvider ServiceProvider => _activation.Silo.Services;

    /// <summary>The identity of this grain as a string (<c>type/key</c>).</summary>
    public string IdentityString => _activation.GrainId.ToString();

    /// <summary>Called once, before the first request of an activation runs. Persistent state is already read.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called once when the activation is deactivated (idle, requested, or silo shutting down); not called when a silo is killed.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current request completes; the next call creates a new activation.</summary>
    protected void DeactivateOnIdle() => _activation.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle was called."));

    /// <summary>Keeps this activation from idle collection for at least <paramref name="timeSpan"/>.</summary>
    protected void DelayDeactivation(TimeSpan timeSpan) => _activation.DelayDeactivation(timeSpan);

    /// <summary>Registers a timer whose ticks run as grain turns; see <see cref="GrainTimerCreationOptions"/>.</summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return _activation.RegisterTimer(ct => callback(state, ct), options);
    }

    /// <summary>Registers a timer whose ticks run as grain turns.</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return _activation.RegisterTimer(callback, options);
    }

    /// <summary>Registers a timer whose ticks run as grain turns.</summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return _activation.RegisterTimer(_ => callback(state), options);
    }

    /// <summary>Registers a timer whose ticks run as grain turns.</summary>
    protected IGrainTimer RegisterGrainTimer(Func<Task> callback, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return _activation.RegisterTimer(_ => callback(), options);
    }

    /// <summary>Registers a non-interleaving timer that does not keep the activation alive.</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
        => RegisterGrainTimer(callback, new GrainTimerCreationOptions(dueTime, period));

    /// <summary>Registers a non-interleaving timer that does not keep the activation alive.</summary>
    protected IGrainTimer RegisterGrainTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period)
        => RegisterGrainTimer(callback, new GrainTimerCreationOptions(dueTime, period));

    /// <summary>Registers a non-interleaving timer that does not keep the activation alive.</summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, TimeSpan dueTime, TimeSpan period)
        => RegisterGrainTimer(callback, state, new GrainTimerCreationOptions(dueTime, period));

    /// <summary>Registers a non-interleaving timer that does not keep the activation alive.</summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, Task> callback, TState state, TimeSpan dueTime, TimeSpan period)
        => RegisterGrainTimer(callback, state, new GrainTimerCreationOptions(dueTime, period));
}
