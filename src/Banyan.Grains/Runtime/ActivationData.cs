using System.Reflection;
using Banyan.Grains.Invocation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Banyan.Grains.Runtime;

/// <summary>
/// One activation of a grain: the grain instance, its request queue and its single-threaded
/// scheduler. Requests run one at a time ("turn-based", awaits included) unless the grain is
/// [Reentrant] or the request is [AlwaysInterleave], or both it and every running request are
/// [ReadOnly]. All grain code of an activation runs on one exclusive scheduler, so even
/// interleaved requests never run in parallel, only alternate at await points, as in Orleans.
/// </summary>
// CA1001: the two CancellationTokenSources have no timers, so they hold nothing unmanaged; disposing
// them while late readers (a timer tick, a stream subscription) may still ask for the token would
// turn a cancelled token into ObjectDisposedException. They are left to the garbage collector.
#pragma warning disable CA1001
internal sealed class ActivationData
#pragma warning restore CA1001
{
    [ThreadStatic]
    private static ActivationData? s_constructing;

    private readonly Lock _lock = new();
    private readonly LinkedList<WorkItem> _queue = new();
    private readonly List<WorkItem> _running = [];
    private readonly List<GrainTimer> _timers = [];
    private readonly TaskScheduler _scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, 1).ExclusiveScheduler;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationTokenSource _deactivationRequested = new();
    private readonly TimeSpan _collectionAge;
    private ActivationState _state = ActivationState.Activating;
    private DeactivationReason? _pendingDeactivation;
    private DateTimeOffset _lastActive;
    private DateTimeOffset _keepAliveUntil;
    private readonly List<IPersistentStateLoader> _states = [];
    private readonly TaskCompletionSource _gone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActivationData(SiloRuntime silo, GrainClassMetadata grainClass, GrainId grainId)
    {
        Silo = silo;
        GrainClass = grainClass;
        GrainId = grainId;
        _collectionAge = grainClass.CollectionAgeLimit ?? silo.CollectionOptions.CollectionAge;
        _lastActive = silo.TimeProvider.GetUtcNow();
    }

    /// <summary>The activation whose grain constructor is running on this thread (read by <see cref="Grain"/>'s constructor).</summary>
    internal static ActivationData? Constructing => s_constructing;

    public SiloRuntime Silo { get; }

    public GrainClassMetadata GrainClass { get; }

    public GrainId GrainId { get; }

    public Grain? Instance { get; private set; }

    public TimeProvider TimeProvider => Silo.TimeProvider;

    public CancellationToken Lifetime => _lifetime.Token;

    /// <summary>Cancelled as soon as deactivation is requested, so long waits (stream polls) end and let it proceed.</summary>
    public CancellationToken DeactivationRequested => _deactivationRequested.Token;

    public bool IsValid
    {
        get
        {
            lock (_lock)
            {
                return _state == ActivationState.Valid;
            }
        }
    }

    /// <summary>Requests queued or running: stateless-worker groups use it to pick the least busy activation.</summary>
    public int Load
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count + _running.Count;
            }
        }
    }

    public static GrainInterfaceMetadata Interface(string interfaceName)
        => GrainClassRegistry.Instance.TryGetInterface(interfaceName, out Type type)
            ? GrainInterfaceMetadata.For(type)
            : throw new InvalidOperationException($"Grain interface '{interfaceName}' is unknown on this silo.");

    /// <summary>Starts the activation: constructs the grain, reads its states and runs OnActivateAsync before any request.</summary>
    public void Start()
    {
        _ = RunOnSchedulerAsync(ActivateAsync).ContinueWith(
            static (t, state) => ((ActivationData)state!).OnActivated(t.Exception?.InnerException),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Adds a work item; false when the activation is gone and the caller must route elsewhere.</summary>
    public bool Enqueue(WorkItem item)
    {
        lock (_lock)
        {
            if (_state == ActivationState.Invalid)
            {
                return false;
            }

            if (_state == ActivationState.Valid && _pendingDeactivation is null && (_queue.Count == 0 || item.AlwaysInterleave) && CanStart(item))
            {
                StartLocked(item);
            }
            else
            {
                _queue.AddLast(item);
            }

            return true;
        }
    }

    public void Deactivate(DeactivationReason reason)
    {
        lock (_lock)
        {
            if (_state is ActivationState.Deactivating or ActivationState.Invalid || _pendingDeactivation is not null)
            {
                return;
            }

            _pendingDeactivation = reason;
            _deactivationRequested.Cancel();
            if (_state == ActivationState.Valid && _running.Count == 0)
            {
                BeginDeactivationLocked();
            }
        }
    }

    public void DelayDeactivation(TimeSpan timeSpan)
    {
        lock (_lock)
        {
            _keepAliveUntil = timeSpan == TimeSpan.MaxValue || timeSpan == Timeout.InfiniteTimeSpan
                ? DateTimeOffset.MaxValue
                : TimeProvider.GetUtcNow() + timeSpan;
        }
    }

    /// <summary>True when the activation has been idle longer than its collection age.</summary>
    public bool IsIdleFor(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _state == ActivationState.Valid
                && _pendingDeactivation is null
                && _running.Count == 0
                && _queue.Count == 0
                && _collectionAge != Timeout.InfiniteTimeSpan
                && now - _lastActive >= _collectionAge
                && now >= _keepAliveUntil;
        }
    }

    public IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
    {
        GrainTimer timer = new(this, callback, options);
        lock (_lock)
        {
            if (_state is ActivationState.Deactivating or ActivationState.Invalid)
            {
                throw new InvalidOperationException($"Grain {GrainId} is deactivating; it cannot register timers.");
            }

            _timers.Add(timer);
        }

        timer.Start();
        return timer;
    }

    public void RemoveTimer(GrainTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    /// <summary>Stops without deactivating (the silo was killed): no OnDeactivateAsync, timers die, nothing is re-routed.</summary>
    public void Kill()
    {
        GrainTimer[] timers;
        lock (_lock)
        {
            _state = ActivationState.Invalid;
            _deactivationRequested.Cancel();
            timers = [.. _timers];
            _timers.Clear();
            _queue.Clear();
        }

        foreach (GrainTimer timer in timers)
        {
            timer.Dispose();
        }

        _lifetime.Cancel();
        _gone.TrySetResult();
    }

    private bool CanStart(WorkItem item)
    {
        if (_running.Count == 0 || GrainClass.Reentrant || item.AlwaysInterleave)
        {
            return true;
        }

        if (!item.ReadOnly)
        {
            return false;
        }

        foreach (WorkItem running in _running)
        {
            if (!running.ReadOnly)
            {
                return false;
            }
        }

        return true;
    }

    private void StartLocked(WorkItem item)
    {
        _running.Add(item);
        _ = RunItemAsync(item);
    }

    private async Task RunItemAsync(WorkItem item)
    {
        try
        {
            await RunOnSchedulerAsync(() => item.RunAsync(this)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Silo.Logger.LogError(e, "Work item of grain {GrainId} failed outside its own error handling (bug)", GrainId);
        }

        lock (_lock)
        {
            _running.Remove(item);
            if (item.KeepAlive)
            {
                _lastActive = TimeProvider.GetUtcNow();
            }

            if (_pendingDeactivation is not null && _state == ActivationState.Valid)
            {
                if (_running.Count == 0)
                {
                    BeginDeactivationLocked();
                }
            }
            else
            {
                PumpLocked();
            }
        }
    }

    private void PumpLocked()
    {
        if (_state != ActivationState.Valid || _pendingDeactivation is not null)
        {
            return;
        }

        LinkedListNode<WorkItem>? node = _queue.First;
        bool headBlocked = false;
        while (node is not null)
        {
            LinkedListNode<WorkItem>? next = node.Next;
            WorkItem item = node.Value;
            // FIFO, except that always-interleave items may overtake a blocked head.
            if ((!headBlocked || item.AlwaysInterleave) && CanStart(item))
            {
                _queue.Remove(node);
                StartLocked(item);
            }
            else
            {
                headBlocked = true;
            }

            node = next;
        }
    }

    private Task RunOnSchedulerAsync(Func<Task> work)
        => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap();

    private async Task ActivateAsync()
    {
        Grain grain = CreateInstance();
        Instance = grain;
        foreach (IPersistentStateLoader state in _states)
        {
            await state.ReadStateAsync();
        }

        using CancellationTokenSource timeout = new(Silo.CollectionOptions.ActivationTimeout, TimeProvider);
        await grain.OnActivateAsync(timeout.Token);
    }

    private Grain CreateInstance()
    {
        ParameterInfo[] parameters = GrainClass.Constructor.GetParameters();
        object?[] args = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            ParameterInfo parameter = parameters[i];
            if (parameter.GetCustomAttribute<PersistentStateAttribute>() is PersistentStateAttribute attribute)
            {
                Type type = parameter.ParameterType;
                if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IPersistentState<>))
                {
                    throw new InvalidOperationException($"Parameter '{parameter.Name}' of {GrainClass.ClassType.Name} has [PersistentState] but type '{type.Name}'; it must be IPersistentState<T>.");
                }

                IGrainStorage storage = Silo.GetStorage(attribute.StorageName ?? "Default");
                Type stateType = typeof(PersistentState<>).MakeGenericType(type.GetGenericArguments()[0]);
                object state = Activator.CreateInstance(stateType, attribute.StateName, GrainId, storage)!;
                _states.Add((IPersistentStateLoader)state);
                args[i] = state;
            }
            else if (parameter.ParameterType == typeof(IGrainFactory))
            {
                args[i] = Silo.GrainFactory;
            }
            else
            {
                args[i] = Silo.Services.GetService(parameter.ParameterType)
                    ?? (parameter.HasDefaultValue ? parameter.DefaultValue : throw new InvalidOperationException($"Grain {GrainClass.ClassType.Name} needs a '{parameter.ParameterType.Name}' ({parameter.Name}) that is not registered in the silo's services."));
            }
        }

        ActivationData? previous = s_constructing;
        s_constructing = this;
        try
        {
            return (Grain)GrainClass.Constructor.Invoke(args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
        finally
        {
            s_constructing = previous;
        }
    }

    private void OnActivated(Exception? failure)
    {
        if (failure is not null)
        {
            Silo.Logger.LogWarning(failure, "Activation of grain {GrainId} failed", GrainId);
            List<WorkItem> queued;
            lock (_lock)
            {
                _state = ActivationState.Invalid;
                queued = [.. _queue];
                _queue.Clear();
            }

            Silo.OnActivationGone(this);
            _gone.TrySetResult();
            ResponseMessage error = ResponseMessage.FromException(new InvalidOperationException($"Activation of grain {GrainId} failed: {failure.GetType().Name}: {failure.Message}", failure));
            foreach (WorkItem item in queued)
            {
                (item as RequestWorkItem)?.Complete(error);
            }

            return;
        }

        lock (_lock)
        {
            _state = ActivationState.Valid;
            _lastActive = TimeProvider.GetUtcNow();
            if (_pendingDeactivation is not null)
            {
                BeginDeactivationLocked();
            }
            else
            {
                PumpLocked();
            }
        }
    }

    private void BeginDeactivationLocked()
    {
        _state = ActivationState.Deactivating;
        DeactivationReason reason = _pendingDeactivation!.Value;
        GrainTimer[] timers = [.. _timers];
        _timers.Clear();
        _ = DeactivateAsync(reason, timers);
    }

    private async Task DeactivateAsync(DeactivationReason reason, GrainTimer[] timers)
    {
        foreach (GrainTimer timer in timers)
        {
            timer.Dispose();
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        try
        {
            using CancellationTokenSource timeout = new(Silo.CollectionOptions.DeactivationTimeout, TimeProvider);
            await RunOnSchedulerAsync(() => Instance!.OnDeactivateAsync(reason, timeout.Token)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Silo.Logger.LogWarning(e, "OnDeactivateAsync of grain {GrainId} failed", GrainId);
        }

        List<WorkItem> queued;
        lock (_lock)
        {
            _state = ActivationState.Invalid;
            queued = [.. _queue];
            _queue.Clear();
        }

        Silo.OnActivationGone(this);
        _gone.TrySetResult();
        foreach (WorkItem item in queued)
        {
            item.Abandon(Silo);
        }
    }

    /// <summary>Deactivates for silo shutdown and waits until OnDeactivateAsync has run.</summary>
    public async Task DeactivateForShutdownAsync()
    {
        Deactivate(new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is shutting down."));
        try
        {
            await _gone.Task.WaitAsync(Silo.CollectionOptions.DeactivationTimeout, TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Silo.Logger.LogWarning("Grain {GrainId} did not deactivate within {Timeout}; dropping it", GrainId, Silo.CollectionOptions.DeactivationTimeout);
            Kill();
        }
    }
}
