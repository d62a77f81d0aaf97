using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Banyan.Silo;

/// <summary>Healthy while the Orleans silo in this process is an active cluster member; what <c>/api/healthz</c> and <c>grpc.health.v1.Health</c> report.</summary>
public sealed class SiloHealthCheck(ISiloStatusOracle oracle) : IHealthCheck
{
    /// <summary>The name the check is registered under.</summary>
    public const string Name = "silo";

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        SiloStatus status = oracle.CurrentStatus;
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo is active")
            : HealthCheckResult.Unhealthy($"silo is {status}"));
    }
}
