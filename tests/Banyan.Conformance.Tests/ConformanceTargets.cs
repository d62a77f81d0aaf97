using Banyan.Conformance.Targets;
using Banyan.Conformance.Tests.Targets;

namespace Banyan.Conformance.Tests;

/// <summary>
/// Where the servers plug into the suite tests: every factory in <see cref="s_wired"/> (optionally narrowed by
/// <c>BANYAN_CONFORMANCE_TARGETS</c>), plus a running server named by <c>BANYAN_CONFORMANCE_GRPC_ADDRESS</c>. Each
/// target runs every case of every suite in <see cref="Suites"/> (one test per target and case) and writes
/// <c>TestResults/conformance-&lt;target&gt;.md</c>. When no target is selected, every case test is reported Skipped with
/// <see cref="NotWiredReason"/>, never passed.
/// </summary>
public static class ConformanceTargets
{
    /// <summary>
    /// Environment variable naming the wired targets to run, comma-separated (default: all of them); <c>none</c> runs
    /// only the harness self-tests.
    /// </summary>
    public const string TargetsVariable = "BANYAN_CONFORMANCE_TARGETS";

    /// <summary>The skip reason while no target is selected.</summary>
    public const string NotWiredReason = "no server target selected (BANYAN_CONFORMANCE_TARGETS=none)";

    /// <summary>The target name the theories use for their rows while no target is selected.</summary>
    public const string None = "none";

    /// <summary>The suites the theories run, in report order.</summary>
    public static readonly IReadOnlyList<string> Suites = ["stream", "measure", "topn"];

    // The real silo over gRPC, a 3-silo TestCluster through the grain interfaces, and the real silo over its HTTP gateway.
    private static readonly IConformanceTargetFactory[] s_wired = [new SiloGrpcTargetFactory(), new TestClusterGrainTargetFactory(), new SiloHttpGatewayTargetFactory()];

    /// <summary>Every target to run: the selected wired ones, plus a running server named by the environment.</summary>
    public static IReadOnlyList<IConformanceTargetFactory> All { get; } = Discover();

    private static List<IConformanceTargetFactory> Discover()
    {
        List<IConformanceTargetFactory> targets = [.. Select(s_wired, Environment.GetEnvironmentVariable(TargetsVariable))];
        string? address = Environment.GetEnvironmentVariable(GrpcAddressTargetFactory.AddressVariable);
        if (!string.IsNullOrWhiteSpace(address))
        {
            targets.Add(new GrpcAddressTargetFactory("grpc-external", new Uri(address)));
        }

        return targets;
    }

    /// <summary>
    /// The factories <paramref name="selection"/> names (comma-separated; empty or unset: all; <see cref="None"/>: none);
    /// an unknown name throws, naming the choices.
    /// </summary>
    internal static IReadOnlyList<IConformanceTargetFactory> Select(IReadOnlyList<IConformanceTargetFactory> wired, string? selection)
    {
        if (string.IsNullOrWhiteSpace(selection))
        {
            return wired;
        }

        if (selection.Trim() == None)
        {
            return [];
        }

        List<IConformanceTargetFactory> selected = [];
        foreach (string name in selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            selected.Add(wired.FirstOrDefault(f => f.Name == name)
                ?? throw new ArgumentException($"{TargetsVariable} names '{name}', which is not a wired target ({string.Join(", ", wired.Select(f => f.Name))})."));
        }

        return selected;
    }
}
