using Banyan.Conformance.Targets;
using Banyan.Conformance.Tests.Targets;

namespace Banyan.Conformance.Tests;

/// <summary>Which wired targets a run uses (<c>BANYAN_CONFORMANCE_TARGETS</c>).</summary>
public sealed class ConformanceTargetsTests
{
    private static readonly IConformanceTargetFactory[] s_wired = [new SiloGrpcTargetFactory(), new TestClusterGrainTargetFactory()];

    [Theory]
    [InlineData(null, "silo-grpc,testcluster-grains")]
    [InlineData(" ", "silo-grpc,testcluster-grains")]
    [InlineData("testcluster-grains", "testcluster-grains")]
    [InlineData(" testcluster-grains , silo-grpc ", "testcluster-grains,silo-grpc")]
    [InlineData("none", "")]
    public void The_selection_names_the_targets_to_run(string? selection, string expected) =>
        Assert.Equal(expected, string.Join(',', ConformanceTargets.Select(s_wired, selection).Select(f => f.Name)));

    [Fact]
    public void An_unknown_target_name_is_refused_with_the_choices()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ConformanceTargets.Select(s_wired, "silo-grpc,silo"));
        Assert.Equal("BANYAN_CONFORMANCE_TARGETS names 'silo', which is not a wired target (silo-grpc, testcluster-grains).", e.Message);
    }
}
