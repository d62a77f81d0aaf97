using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests.Grains;

public interface ITimerOptionsGrain : IGrainWithStringKey
{
    Task StartKeepAlive(bool keepAlive);

    Task StartInterleaving();

    Task Block();
}

/// <summary>Timers with KeepAlive and Interleave; ticks signal "key:tick".</summary>
public sealed class TimerOptionsGrain : Grain, ITimerOptionsGrain
{
    private int _ticks;

    public Task StartKeepAlive(bool keepAlive)
    {
        RegisterGrainTimer(
            ct =>
            {
                Signals.Set(this.GetPrimaryKeyString() + ":tick:" + ++_ticks);
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = keepAlive });
        return Task.CompletedTask;
    }

    public Task StartInterleaving()
    {
        RegisterGrainTimer(
            (string key, CancellationToken ct) =>
            {
                Signals.Set(key + ":tick:" + ++_ticks);
                return Task.CompletedTask;
            },
            this.GetPrimaryKeyString(),
            new GrainTimerCreationOptions { DueTime = TimeSpan.FromSeconds(1), Period = Timeout.InfiniteTimeSpan, Interleave = true });
        return Task.CompletedTask;
    }

    public async Task Block()
    {
        Signals.Set(this.GetPrimaryKeyString() + ":blocking");
        await Signals.Wait(this.GetPrimaryKeyString() + ":unblock");
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Signals.Set(this.GetPrimaryKeyString() + ":deactivated");
        return Task.CompletedTask;
    }
}
