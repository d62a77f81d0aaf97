using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests.Grains;

public interface ILifecycleGrain : IGrainWithStringKey
{
    Task Touch();

    Task Deactivate();

    Task Delay(TimeSpan span);
}

/// <summary>Records activation and deactivation (with the reason code) in the log named by its key.</summary>
public class LifecycleGrain : Grain, ILifecycleGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Signals.Log(this.GetPrimaryKeyString()).Enqueue("activate");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Signals.Log(this.GetPrimaryKeyString()).Enqueue("deactivate:" + reason.ReasonCode);
        Signals.Set(this.GetPrimaryKeyString() + ":deactivated");
        return Task.CompletedTask;
    }

    public Task Touch() => Task.CompletedTask;

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task Delay(TimeSpan span)
    {
        DelayDeactivation(span);
        return Task.CompletedTask;
    }
}

public interface IShortLivedGrain : IGrainWithStringKey
{
    Task Touch();
}

[CollectionAgeLimit(Minutes = 2)]
public sealed class ShortLivedGrain : Grain, IShortLivedGrain
{
    public Task Touch() => Task.CompletedTask;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Signals.Log(this.GetPrimaryKeyString()).Enqueue("deactivate:" + reason.ReasonCode);
        Signals.Set(this.GetPrimaryKeyString() + ":deactivated");
        return Task.CompletedTask;
    }
}

public interface ITimerGrain : IGrainWithStringKey
{
    Task Start(bool failFirst);

    Task<int> Ticks();

    Task Deactivate();
}

/// <summary>
/// A timer (due 1 s, period 1 s) whose ticks wait for the test to release them, and count how many
/// run at once.
/// </summary>
public sealed class TimerGrain : Grain, ITimerGrain
{
    private int _ticks;
    private int _running;
    private IGrainTimer? _timer;

    public Task Start(bool failFirst)
    {
        string key = this.GetPrimaryKeyString();
        _timer = RegisterGrainTimer(
            async (state, ct) =>
            {
                int n = Interlocked.Increment(ref _ticks);
                if (Interlocked.Increment(ref _running) > 1)
                {
                    Signals.Log(key).Enqueue("overlap");
                }

                Signals.Log(key).Enqueue("tick:" + n);
                Signals.Set(key + ":tick:" + n);
                try
                {
                    await Signals.Wait(key + ":release:" + n);
                    if (state && n == 1)
                    {
                        throw new InvalidOperationException("first tick fails");
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _running);
                }
            },
            failFirst,
            new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        return Task.CompletedTask;
    }

    public Task<int> Ticks() => Task.FromResult(_ticks);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Signals.Set(this.GetPrimaryKeyString() + ":deactivated");
        return Task.CompletedTask;
    }
}

public interface ISlowDeactivationGrain : IGrainWithStringKey
{
    Task<string> Instance();

    Task Deactivate();
}

/// <summary>Its OnDeactivateAsync waits for the test, so calls can arrive while it deactivates.</summary>
public sealed class SlowDeactivationGrain : Grain, ISlowDeactivationGrain
{
    private readonly string _instance = Guid.NewGuid().ToString("N");

    public Task<string> Instance() => Task.FromResult(_instance);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Signals.Set(this.GetPrimaryKeyString() + ":deactivating");
        await Signals.Wait(this.GetPrimaryKeyString() + ":finish");
    }
}
