using Banyan.Conformance.Seeding;

namespace Banyan.Conformance.Tests;

/// <summary>The seeder against a recording target: upstream order, every write checked, failures named loudly.</summary>
public sealed class SeederTests
{
    private static readonly ConformanceFixtures s_fixtures = ConformanceFixtures.Default;

    private static readonly HashSet<string> s_streamAndMeasure = ["stream", "measure"];

    private static ConformanceOptions Options => new() { WriteTimeout = TimeSpan.FromSeconds(10) };

    private static Task<SeedResult> Seed(RecordingTarget target, IReadOnlySet<string>? catalogs = null) =>
        new ConformanceSeeder(target, s_fixtures.Root, s_fixtures.Seed, Options, TimeProvider.System)
            .SeedAsync(catalogs ?? new HashSet<string>(["stream"]), CancellationToken.None);

    [Fact]
    public async Task Schemas_load_in_upstream_order_before_any_write()
    {
        RecordingTarget target = new();

        await Seed(target, s_streamAndMeasure);

        List<string> creates = [.. target.Calls.Where(c => c.StartsWith("Create ", StringComparison.Ordinal))];
        // Stream: the groups of group.json (array order), streams, index rules, bindings (each folder by file name);
        // then measure: groups/*.json, measures, index rules, bindings, TopN aggregations.
        Assert.Equal(
            ["Create Group default", "Create Group default-spec", "Create Group default-spec2", "Create Group updated", "Create Group sw_cross_segment_stream"],
            creates.Take(5));
        string[] kinds = [.. creates.Select(c => c.Split(' ')[1])];
        string order = string.Join(" ", kinds.Where((k, i) => i == 0 || kinds[i - 1] != k));
        Assert.Equal("Group Stream IndexRule IndexRuleBinding Group Measure IndexRule IndexRuleBinding TopNAggregation", order);
        Assert.True(target.Calls.FindLastIndex(c => c.StartsWith("Create ", StringComparison.Ordinal)) < target.Calls.FindIndex(c => c.StartsWith("Write ", StringComparison.Ordinal)));
        Assert.Contains("Create Measure index_mode/service_traffic", creates);
        Assert.Contains("Create TopNAggregation sw_metric/endpoint_resp_time_minute_top_bottom_100", creates);
    }

    [Fact]
    public async Task Stream_and_measure_steps_are_written_in_order_with_registry_metadata()
    {
        RecordingTarget target = new();

        SeedResult result = await Seed(target, s_streamAndMeasure);

        Assert.Equal(6 + 24, result.StepsWritten);
        Assert.Equal(target.StreamWrites.Count + target.MeasureWrites.Count, result.RequestsWritten);
        Assert.Equal(5 + 5 + 5 + 50 + 3 + 8, target.StreamWrites.Count);
        List<string> writes = [.. target.Calls.Where(c => c.StartsWith("Write", StringComparison.Ordinal) || c.StartsWith("Get", StringComparison.Ordinal))];
        Assert.Equal(["Get stream default/sw", "Write stream 5", "Get stream default/sw", "Write stream 5", "Get stream default/duplicated", "Write stream 5"], writes.Take(6));
        Assert.Equal(["Get stream default-spec/sw", "Get stream default-spec2/sw", "Write stream 8"], writes.Skip(10).Take(3));
        Assert.Equal("Get measure index_mode/service_traffic", writes[13]);
        // The metadata sent is the registry's (with its revision), as upstream's helpers send it.
        Assert.True(target.StreamWrites[0].Metadata.ModRevision > 0);
        Assert.True(target.MeasureWrites[0].Metadata.ModRevision > 0);
        // Every written stream element is known by the id a query returns for it.
        Assert.Equal("default|sw|0", result.StreamElements["0978df79cf4ed409"]);
        Assert.Equal("default-spec|sw|5", result.StreamElements[Comparison.ElementIdHash.Of("default-spec", "sw", "5")]);
        Assert.Equal("default-spec2|sw|7", result.StreamElements[Comparison.ElementIdHash.Of("default-spec2", "sw", "7")]);

        // B is a whole minute.
        Assert.Equal(0, result.BaseTime.EpochMillis % 60_000);
        Assert.Equal(result.BaseTime.At(0), target.StreamWrites[0].Element.Timestamp);
    }

    [Fact]
    public async Task A_refused_write_fails_the_step_naming_the_entry_and_status()
    {
        RecordingTarget target = new()
        {
            Answer = ids => [.. ids.Select((id, i) => (id, i == 3 ? "STATUS_INVALID_TIMESTAMP" : "STATUS_SUCCEED"))],
        };

        SeedStepFailedException e = await Assert.ThrowsAsync<SeedStepFailedException>(() => Seed(target));

        Assert.StartsWith("step 0 (StreamCounter: default/sw sw.json)", e.Step, StringComparison.Ordinal);
        Assert.Contains("test/cases/stream/data/testdata/sw.json[3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"STATUS_INVALID_TIMESTAMP\", expected STATUS_SUCCEED", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_steps_may_be_acknowledged_or_refused_as_expired()
    {
        RecordingTarget refusing = new();
        int stream = 0;
        refusing.Answer = ids => [.. ids.Select(id => (id, ++stream is > 5 and <= 10 ? WriteResponseCheck.ExpiredSchema : WriteResponseCheck.Succeed))];

        SeedResult result = await Seed(refusing);

        Assert.Equal(6, result.StepsWritten);
    }

    [Fact]
    public async Task A_missing_response_fails_the_step()
    {
        RecordingTarget target = new() { Answer = ids => [.. ids.Skip(1).Select(id => (id, "STATUS_SUCCEED"))] };

        SeedStepFailedException e = await Assert.ThrowsAsync<SeedStepFailedException>(() => Seed(target));

        Assert.Contains("4 responses for 5 requests", e.Message, StringComparison.Ordinal);
        Assert.Contains("sw.json[0] (message_id", e.Message, StringComparison.Ordinal);
        Assert.Contains("got no response", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_schema_fails_naming_the_file()
    {
        RecordingTarget target = new() { FailCreateOf = "deduplication_test" };

        SeedStepFailedException e = await Assert.ThrowsAsync<SeedStepFailedException>(() => Seed(target));

        Assert.Contains("schema pkg/test/stream/testdata/", e.Message, StringComparison.Ordinal);
        Assert.Contains("deduplication_test", e.Message, StringComparison.Ordinal);
        Assert.Contains("refused by the test", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(target.Calls, c => c.StartsWith("Write", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Trace_and_property_are_refused_until_the_harness_writes_them()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => Seed(new RecordingTarget(), new HashSet<string>(["trace"])));
    }
}
