namespace Banyan.Conformance.Targets;

/// <summary>
/// Starts a fresh, empty target for one conformance run (e.g. a silo on a loopback port with a temporary data folder,
/// or a 3-silo TestCluster). The run seeds it once and runs every case against it.
/// </summary>
public interface IConformanceTargetFactory
{
    /// <summary>The target's name in test names and report files (<c>TestResults/conformance-&lt;name&gt;.md</c>).</summary>
    string Name { get; }

    /// <summary>Starts the target; the lease stops it.</summary>
    Task<ConformanceTargetLease> StartAsync(CancellationToken cancellationToken);
}
