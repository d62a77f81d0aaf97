using Banyan.Api.Stream.V1;
using Banyan.Client.Tests.Infrastructure;
using Banyan.Client.Writes;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Client.Tests.Writes;

/// <summary>The stream writer on the 3-silo cluster: elements across shards, all queryable; refusals reported.</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class StreamElementWriterTests(ClientClusterFixture fixture)
{
    [Fact]
    public async Task Elements_land_across_shards_and_are_all_queryable_and_refused_ones_are_reported()
    {
        const string group = "sw-bulk";
        const int count = 1500;
        await Subjects.CreateStreamAsync(fixture.Client, group, shards: 5);

        await using StreamElementWriter writer = fixture.Client.CreateStreamWriter(group, "log", new BulkWriterOptions { BatchSize = 200, MaxInFlightBatches = 3 });
        for (int i = 0; i < count; i++)
        {
            ElementValue element = Subjects.Element(i);
            if (i == 700)
            {
                element.TagFamilies.Clear();
            }

            await writer.WriteAsync(element);
        }

        BulkWriteResult<ElementValue> result = await writer.CompleteAsync();

        Assert.Equal((count, count - 1L, 1L, 0L), (result.Written, result.Acknowledged, result.Failed, result.Retried));
        WriteFailure<ElementValue> failure = Assert.Single(result.Failures);
        Assert.Equal((700L, WriteStatus.InternalError, "e-700"), (failure.Sequence, failure.Status, failure.Point.ElementId));
        Assert.StartsWith("element.tag_families", failure.Message);
        Assert.Equal(Enumerable.Range(0, count).Where(i => i != 700).Select(i => (long)i), await Subjects.LevelsAsync(fixture.Client, group));
    }
}
