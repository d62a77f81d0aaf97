using Banyan.Conformance.Seeding;

namespace Banyan.Conformance.Tests;

public sealed class WriteResponseCheckTests
{
    private static readonly SeedStep s_step = new() { Index = 2, Catalog = "stream", Mode = SeedMode.StreamCounter, Group = "default", Name = "sw", File = "x/sw.json" };

    private static readonly (ulong, string)[] s_requests = [(10, "sw.json[0]"), (11, "sw.json[1]"), (12, "sw.json[2]")];

    [Fact]
    public void One_success_per_request_in_any_order_passes()
    {
        WriteResponseCheck.Verify(s_step, s_requests, [(12, "STATUS_SUCCEED"), (10, "STATUS_SUCCEED"), (11, "STATUS_SUCCEED")]);
    }

    [Fact]
    public void Duplicate_and_unknown_ids_fail()
    {
        SeedStepFailedException e = Assert.Throws<SeedStepFailedException>(() =>
            WriteResponseCheck.Verify(s_step, s_requests, [(10, "STATUS_SUCCEED"), (10, "STATUS_SUCCEED"), (99, "STATUS_SUCCEED")]));

        Assert.Contains("sw.json[0] (message_id 10) was answered twice", e.Message, StringComparison.Ordinal);
        Assert.Contains("message_id 99, which no request of this stream carried", e.Message, StringComparison.Ordinal);
        Assert.Contains("sw.json[1] (message_id 11) got no response", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("Seeding failed at step 2 (StreamCounter: default/sw sw.json)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expired_schema_is_accepted_only_on_expired_steps()
    {
        (ulong, string)[] responses = [(10, "STATUS_EXPIRED_SCHEMA"), (11, "STATUS_SUCCEED"), (12, "STATUS_SUCCEED")];

        Assert.Throws<SeedStepFailedException>(() => WriteResponseCheck.Verify(s_step, s_requests, responses));
        WriteResponseCheck.Verify(s_step with { Note = "expired: 6 days back" }, s_requests, responses);
        Assert.Throws<SeedStepFailedException>(() =>
            WriteResponseCheck.Verify(s_step with { Note = "expired: 6 days back" }, s_requests, [(10, "STATUS_INTERNAL_ERROR"), (11, "STATUS_SUCCEED"), (12, "STATUS_SUCCEED")]));
    }
}
