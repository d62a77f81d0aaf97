using Banyan.Conformance.Targets;

namespace Banyan.Conformance.Tests;

/// <summary>
/// The hook where a server plugs into the suite tests. Until a factory is listed in <see cref="s_wired"/> (or
/// <c>BANYAN_CONFORMANCE_GRPC_ADDRESS</c> names a running server), every case test is reported Skipped with
/// <see cref="NotWiredReason"/>, never passed.
/// </summary>
/// <remarks>
/// To wire a target, add one line to <see cref="s_wired"/>: an <see cref="IConformanceTargetFactory"/> that starts an
/// empty server and returns a lease that stops it, for example
/// <code>
/// new SiloGrpcTargetFactory(),          // Banyan.Silo on 127.0.0.1, fresh data folder, GrpcTarget over its port
/// new TestClusterGrainTargetFactory(),  // 3-silo TestCluster, a grain-interface IBanyanTarget
/// </code>
/// Each wired target runs every case of every suite in <see cref="Suites"/> (one test per target and case) and
/// writes <c>TestResults/conformance-&lt;target&gt;.md</c>.
/// </remarks>
public static class ConformanceTargets
{
    /// <summary>The skip reason while no target is wired.</summary>
    public const string NotWiredReason = "no server target wired yet (issue 12 in progress)";

    /// <summary>The target name the theories use for their rows while nothing is wired.</summary>
    public const string None = "none";

    /// <summary>The suites the theories run, in report order.</summary>
    public static readonly IReadOnlyList<string> Suites = ["stream", "measure", "topn"];

    // Wired targets: add the silo (gRPC) and TestCluster (grain interface) factories here.
    private static readonly IConformanceTargetFactory[] s_wired = [];

    /// <summary>Every target to run: the wired ones, plus a running server named by the environment.</summary>
    public static IReadOnlyList<IConformanceTargetFactory> All { get; } = Discover();

    private static List<IConformanceTargetFactory> Discover()
    {
        List<IConformanceTargetFactory> targets = [.. s_wired];
        string? address = Environment.GetEnvironmentVariable(GrpcAddressTargetFactory.AddressVariable);
        if (!string.IsNullOrWhiteSpace(address))
        {
            targets.Add(new GrpcAddressTargetFactory("grpc-external", new Uri(address)));
        }

        return targets;
    }
}
