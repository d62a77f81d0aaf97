using Banyan.Conformance.Comparison;
using Banyan.Conformance.Running;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests;

public sealed class ElementIdHashTests
{
    [Fact]
    public void Default_sw_0_hashes_like_upstream()
    {
        // Fixtures README: "default|sw|0" → 0978df79cf4ed409 (xxHash64, seed 0, big-endian hex).
        Assert.Equal("0978df79cf4ed409", ElementIdHash.Of("default", "sw", "0"));
    }

    [Fact]
    public void The_all_want_lists_the_hashes_of_sw_elements_0_to_4()
    {
        ConformanceFixtures fixtures = ConformanceFixtures.Default;
        Cases.ConformanceSuite stream = fixtures.Cases.Get("stream");
        StreamV1.QueryResponse want = (StreamV1.QueryResponse)CaseRequests.ReadWant(fixtures, stream, stream.Get("all elements"));

        Assert.Equal(
            [.. Enumerable.Range(0, 5).Select(i => ElementIdHash.Of("default", "sw", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))],
            want.Elements.Select(e => e.ElementId));
    }
}
