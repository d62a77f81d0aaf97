using Banyan.Conformance.Targets;
using Banyan.Tests.Shared.Hosting;

namespace Banyan.Conformance.Tests.Targets;

/// <summary>
/// Target <c>silo-http</c>: the real silo host (<see cref="SiloHostProcess"/>, as for <c>silo-grpc</c>) called through its
/// HTTP gateway with JSON in and out (<see cref="HttpGatewayTarget"/>), writes as NDJSON. The gRPC target runs the same
/// service classes, so a case that passes there and fails here is a gateway bug. The lease stops the host (bounded),
/// deletes its folder and disposes the client.
/// </summary>
public sealed class SiloHttpGatewayTargetFactory : IConformanceTargetFactory
{
    /// <summary>The target's name.</summary>
    public const string TargetName = "silo-http";

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

        // Each call is bounded by the harness's own token; the client's timeout only backs that up.
        HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}"), Timeout = TimeSpan.FromMinutes(5) };
        return new ConformanceTargetLease(new HttpGatewayTarget(http, TargetName), async () =>
        {
            http.Dispose();
            await host.DisposeAsync();
        });
    }
}
