namespace Banyan.Api.Tests;

/// <summary>The version Banyan reports is upstream's, for the API snapshot its protos are checked against.</summary>
public sealed class ApiVersionTests
{
    [Fact]
    public void Current_is_upstream_version_go_value()
    {
        Assert.Equal("0.10", UpstreamApiSnapshot.CheckedIn.Source.ApiVersion);
        Assert.Equal(ApiVersion.Current, UpstreamApiSnapshot.CheckedIn.Source.ApiVersion);
    }

    [Fact]
    public void Revision_is_the_commit_the_snapshot_was_taken_at()
    {
        // Regenerating the snapshot from another commit must come with a deliberate bump of the constants.
        Assert.Equal(ApiVersion.Revision, UpstreamApiSnapshot.CheckedIn.Source.Commit);
    }

    [Fact]
    public void Message_carries_version_and_revision()
    {
        Banyan.Api.Common.V1.APIVersion message = ApiVersion.ToMessage();

        Assert.Equal(ApiVersion.Current, message.Version);
        Assert.Equal(ApiVersion.Revision, message.Revision);
    }
}
