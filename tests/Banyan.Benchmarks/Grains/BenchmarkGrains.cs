using Banyan.Grains;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Benchmarks.Grains;

public interface IEmptyGrain : IGrainWithStringKey
{
    Task Ping();

    Task Take(BytesValue payload);
}

/// <summary>Placed where it is first called, so a benchmark decides which silo hosts it.</summary>
[PreferLocalPlacement]
public sealed class EmptyGrain : Grain, IEmptyGrain
{
    public Task Ping() => Task.CompletedTask;

    public Task Take(BytesValue payload) => Task.CompletedTask;
}
