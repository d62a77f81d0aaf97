using Microsoft.Extensions.Logging;

namespace Banyan.Grains.Runtime;

/// <summary>
/// A grain timer. Each tick is queued on the activation like a request (non-interleaving unless
/// <see cref="GrainTimerCreationOptions.Interleave"/>); the next tick is scheduled only when the
/// previous one has finished, so ticks never overlap and the period counts from the end of a tick.
/// A tick that throws is logged and the timer goes on. Uses the silo's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class GrainTimer : IGrainTimer
{
    private readonly ActivationData _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private readonly bool _interleave;
    private readonly bool _keepAlive;
    private TimeSpan _dueTime;
    private TimeSpan _period;
    private bool _tickRunning;
    private bool _changedDuringTick;
    private bool _disposed;
    private readonly CancellationTokenSource _disposal = new();

    public GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
    {
        ValidatePeriod(options.DueTime, nameof(options.DueTime));
        ValidatePeriod(options.Period, nameof(options.Period));
        _activation = activation;
        _callback = callback;
        _interleave = options.Interleave;
        _keepAlive = options.KeepAlive;
        _dueTime = options.DueTime;
        _period = options.Period;
        _timer = activation.TimeProvider.CreateTimer(static s => ((GrainTimer)s!).OnDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Start()
    {
        lock (_lock)
        {
            _timer.Change(_dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        ValidatePeriod(dueTime, nameof(dueTime));
        ValidatePeriod(period, nameof(period));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _dueTime = dueTime;
            _period = period;
            if (_tickRunning)
            {
                // The tick in progress finishes first; the next one is then due after dueTime.
                _changedDuringTick = true;
            }
            else
            {
                _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
        }

        _disposal.Cancel();
        _activation.RemoveTimer(this);
    }

    private void OnDue()
    {
        lock (_lock)
        {
            if (_disposed || _tickRunning)
            {
                return;
            }

            _tickRunning = true;
        }

        if (!_activation.Enqueue(new TickWorkItem(this) { AlwaysInterleave = _interleave, KeepAlive = _keepAlive }))
        {
            Dispose();
        }
    }

    private async Task TickAsync()
    {
        try
        {
            using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(_disposal.Token, _activation.Lifetime);
            await _callback(linked.Token);
        }
        catch (Exception e)
        {
            _activation.Silo.Logger.LogError(e, "Timer callback of grain {GrainId} threw; the timer goes on", _activation.GrainId);
        }
        finally
        {
            lock (_lock)
            {
                _tickRunning = false;
                if (!_disposed)
                {
                    TimeSpan next = _changedDuringTick ? _dueTime : _period;
                    _changedDuringTick = false;
                    _timer.Change(next, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    private static void ValidatePeriod(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "A timer due time or period must be zero or positive, or Timeout.InfiniteTimeSpan.");
        }
    }

    private sealed class TickWorkItem(GrainTimer timer) : WorkItem
    {
        public override Task RunAsync(ActivationData activation) => timer.TickAsync();

        public override void Abandon(SiloRuntime silo) => timer.Dispose();
    }
}
