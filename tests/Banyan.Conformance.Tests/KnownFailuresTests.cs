using Banyan.Conformance.Cases;
using Banyan.Conformance.Running;

namespace Banyan.Conformance.Tests;

public sealed class KnownFailuresTests
{
    private static readonly CaseTable s_cases = ConformanceFixtures.Default.Cases;

    private static CaseOutcome Outcome(string suite, string name, CaseStatus status) => new()
    {
        Case = s_cases.Get(suite).Get(name),
        InputPath = "in",
        WantPath = "want",
        Status = status,
        Reason = status == CaseStatus.Failed ? "the response differs" : string.Empty,
    };

    [Fact]
    public void The_checked_in_list_names_only_existing_cases_and_gives_reasons()
    {
        KnownFailures list = KnownFailures.Load(Path.Combine(AppContext.BaseDirectory, "known-failures.json"));

        Assert.Empty(list.Unknown(s_cases));
        Assert.All(list.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
    }

    [Fact]
    public void Cases_and_whole_suites_can_be_listed()
    {
        KnownFailures list = KnownFailures.Parse("""
            { "_about": "comment", "stream": { "limit": "limit ignored" }, "topn": { "*": "TopN later" } }
            """);

        Assert.Equal("limit ignored", list.ReasonFor(s_cases.Get("stream").Get("limit")));
        Assert.Null(list.ReasonFor(s_cases.Get("stream").Get("offset")));
        Assert.Equal("TopN later", list.ReasonFor(s_cases.Get("topn").Get("int64 max aggregation test")));
        Assert.Null(list.ReasonFor(s_cases.Get("measure").Get("all")));
    }

    [Fact]
    public void Stale_entries_and_empty_reasons_are_errors()
    {
        KnownFailures stale = KnownFailures.Parse("""{ "stream": { "no such case": "x" }, "nosuite": { "*": "y" } }""");
        Assert.Equal(["stream/no such case: no such case", "nosuite/*: no such suite"], stale.Unknown(s_cases));

        Assert.Throws<FormatException>(() => KnownFailures.Parse("""{ "stream": { "limit": "" } }"""));
    }

    [Fact]
    public void A_listed_failure_is_known_and_a_listed_pass_must_be_removed()
    {
        CaseOutcome known = ConformanceSession.Classify(Outcome("stream", "limit", CaseStatus.Failed), "limit ignored");
        Assert.Equal(CaseStatus.KnownFailure, known.Status);
        Assert.Equal("limit ignored (this run: the response differs)", known.Reason);

        CaseOutcome passing = ConformanceSession.Classify(Outcome("stream", "limit", CaseStatus.Passed), "limit ignored");
        Assert.Equal(CaseStatus.UnexpectedPass, passing.Status);
        Assert.Contains("passes now: remove it from the list", passing.Reason, StringComparison.Ordinal);

        Assert.Equal(CaseStatus.Failed, ConformanceSession.Classify(Outcome("stream", "limit", CaseStatus.Failed), null).Status);
    }
}
