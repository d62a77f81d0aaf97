using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests.Grains;

/// <summary>Each call logs its start, waits for the test to release it, then logs its end.</summary>
public interface IGatedGrain : IGrainWithStringKey
{
    Task Work(string name);

    [ReadOnly]
    Task Read(string name);

    [AlwaysInterleave]
    Task Urgent(string name);
}

internal static class Gated
{
    public static async Task Run(string key, string name)
    {
        Signals.Log(key).Enqueue("start:" + name);
        Signals.Set(key + ":started:" + name);
        await Signals.Wait(key + ":release:" + name);
        Signals.Log(key).Enqueue("end:" + name);
    }
}

public sealed class GatedGrain : Grain, IGatedGrain
{
    public Task Work(string name) => Gated.Run(this.GetPrimaryKeyString(), name);

    public Task Read(string name) => Gated.Run(this.GetPrimaryKeyString(), name);

    public Task Urgent(string name) => Gated.Run(this.GetPrimaryKeyString(), name);
}

public interface IReentrantGatedGrain : IGrainWithStringKey
{
    Task Work(string name);
}

[Reentrant]
public sealed class ReentrantGatedGrain : Grain, IReentrantGatedGrain
{
    public Task Work(string name) => Gated.Run(this.GetPrimaryKeyString(), name);
}

public interface IWorkerGrain : IGrainWithStringKey
{
    Task<string> Work(string name);
}

[StatelessWorker(3)]
public sealed class WorkerGrain : Grain, IWorkerGrain
{
    private readonly string _instance = Guid.NewGuid().ToString("N");

    public async Task<string> Work(string name)
    {
        await Gated.Run(this.GetPrimaryKeyString(), name);
        return _instance;
    }
}

public interface ISlowGrain : IGrainWithStringKey
{
    Task<int> NeverAnswers();
}

public sealed class SlowGrain : Grain, ISlowGrain
{
    public async Task<int> NeverAnswers()
    {
        await Signals.Wait(this.GetPrimaryKeyString() + ":never");
        return 1;
    }
}
