using Banyan.Conformance.Targets;
using Banyan.Tests.Shared.Hosting;

namespace Banyan.Conformance.Tests.Targets;

/// <summary>
/// Target <c>silo-grpc</c>: the real silo host (<see cref="SiloHostProcess"/>: <c>SiloHost.Build</c> in this process,
/// 127.0.0.1 only, free ports, a fresh temporary data folder), called through <see cref="GrpcTarget"/> over
/// Grpc.Net.Client as a BanyanDB client would. The lease stops that host (bounded) and deletes its folder.
/// </summary>
public sealed class SiloGrpcTargetFactory : IConformanceTargetFactory
{
    /// <summary>The target's name.</summary>
    public const string TargetName = "silo-grpc";

    /// <inheritdoc/>
    public string Name => TargetName;

    /// <inheritdoc/>
    public async Task<ConformanceTargetLease> StartAsync(CancellationToken cancellationToken)
    {
        // Starting is bounded inside SiloHostProcess (90 s); the token bounds the wait for it here too.
        Task<SiloHostProcess> starting = SiloHostProcess.StartAsync();
        SiloHostProcess host;
        try
        {
            host = await starting.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The start goes on in the background: stop what it started once it is done.
            _ = starting.ContinueWith(t => t.Result.DisposeAsync().AsTask(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default).Unwrap();
            throw;
        }

        return new ConformanceTargetLease(new GrpcTarget(host.Channel, TargetName), host.DisposeAsync);
    }
}
