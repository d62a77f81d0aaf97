using Banyan.Conformance.Targets;
using Banyan.Tests.Shared.Cluster;
using Orleans.TestingHost;

namespace Banyan.Conformance.Tests.Targets;

/// <summary>
/// Target <c>testcluster-grains</c>: a 3-silo Orleans TestCluster (in-memory transport) wired by the same
/// <c>AddBanyan</c> configurator as the grain tests (<see cref="BanyanTestSiloConfigurator"/>), with a fresh temporary
/// data folder, called through the grain interfaces by <see cref="GrainTarget"/> from the cluster's client. The lease
/// stops the cluster (bounded) and deletes the folder.
/// </summary>
public sealed class TestClusterGrainTargetFactory : IConformanceTargetFactory
{
    /// <summary>The target's name.</summary>
    public const string TargetName = "testcluster-grains";

    private static readonly TimeSpan s_startBound = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_stopBound = TimeSpan.FromMinutes(1);

    /// <inheritdoc/>
    public string Name => TargetName;

    /// <inheritdoc/>
    public async Task<ConformanceTargetLease> StartAsync(CancellationToken cancellationToken)
    {
        string root = Path.Combine(Path.GetTempPath(), "banyan-conformance-cluster-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        TestClusterBuilder builder = new(3);
        builder.Properties[BanyanTestSiloConfigurator.DataRootProperty] = root;
        builder.AddSiloBuilderConfigurator<BanyanTestSiloConfigurator>();
        builder.AddClientBuilderConfigurator<BanyanTestClientConfigurator>();
        TestCluster cluster = builder.Build();
        try
        {
            await cluster.DeployAsync(cancellationToken).WaitAsync(s_startBound, cancellationToken);
        }
        catch
        {
            await StopAsync(cluster, root);
            throw;
        }

        return new ConformanceTargetLease(new GrainTarget(cluster.Client, TargetName), () => StopAsync(cluster, root));
    }

    private static async ValueTask StopAsync(TestCluster cluster, string root)
    {
        try
        {
            await cluster.StopAllSilosAsync().WaitAsync(s_stopBound);
            await cluster.DisposeAsync().AsTask().WaitAsync(s_stopBound);
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A silo that did not stop in time may still hold files; the temp folder is reclaimed by the OS.
            }
        }
    }
}
