using Banyan.Conformance.Cases;
using Banyan.Conformance.Comparison;
using Banyan.Conformance.Reporting;
using Banyan.Conformance.Running;
using Banyan.Conformance.Seeding;

namespace Banyan.Conformance.Tests;

public sealed class ReportTests
{
    private static readonly CaseTable s_cases = ConformanceFixtures.Default.Cases;

    [Fact]
    public void Report_counts_per_suite_and_details_each_failure()
    {
        ConformanceSuite stream = s_cases.Get("stream"), topN = s_cases.Get("topn");
        ConformanceCase all = stream.Get("all elements"), limit = stream.Get("limit"), err = stream.Get("err in arr");
        Dictionary<string, CaseOutcome> outcomes = new()
        {
            [all.Key] = new CaseOutcome { Case = all, InputPath = stream.InputPath(all), WantPath = stream.WantPath(all), Status = CaseStatus.Passed },
            [limit.Key] = new CaseOutcome
            {
                Case = limit,
                InputPath = stream.InputPath(limit),
                WantPath = stream.WantPath(limit),
                Status = CaseStatus.Failed,
                Reason = "the response differs from test/cases/stream/data/want/limit.yaml in 2 places",
                Differences = [new Difference("elements[0].element_id", "\"0978df79cf4ed409\"", "\"x|y\"")],
                DifferenceCount = 2,
            },
            [err.Key] = new CaseOutcome { Case = err, InputPath = stream.InputPath(err), WantPath = stream.WantPath(err), Status = CaseStatus.KnownFailure, Reason = "IN with a scalar | not rejected" },
        };

        string md = ConformanceReport.Render("grpc", [stream, topN], outcomes, new SeedResult(new BaseTime(1_785_579_600_000), 60, 30, 400, new Dictionary<string, string>()), null, DateTimeOffset.UnixEpoch);

        Assert.Contains("# BanyanDB conformance: `grpc`", md, StringComparison.Ordinal);
        Assert.Contains("| stream | 95 | 1 | 1 | 1 | 92 |", md, StringComparison.Ordinal);
        Assert.Contains("| topn | 20 | 0 | 0 | 0 | 20 |", md, StringComparison.Ordinal);
        Assert.Contains("base time B = 2026-08-01T10:20:00.000Z", md, StringComparison.Ordinal);
        Assert.Contains("## Failures (1)", md, StringComparison.Ordinal);
        Assert.Contains("### stream / limit", md, StringComparison.Ordinal);
        Assert.Contains("- input: `test/cases/stream/data/input/limit.yaml`, want: `test/cases/stream/data/want/limit.yaml`", md, StringComparison.Ordinal);
        Assert.Contains("- window: [B+0 ms, B+3600000 ms]", md, StringComparison.Ordinal);
        Assert.Contains("  - `elements[0].element_id`: expected `\"0978df79cf4ed409\"`, actual `\"x|y\"`", md, StringComparison.Ordinal);
        Assert.Contains("| stream | err in arr | IN with a scalar \\| not rejected |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_says_when_seeding_failed()
    {
        string md = ConformanceReport.Render("grains", [s_cases.Get("measure")], new Dictionary<string, CaseOutcome>(), null, "Seeding failed at step 7: ...", DateTimeOffset.UnixEpoch);

        Assert.Contains("**Seeding failed**", md, StringComparison.Ordinal);
        Assert.Contains("| measure | 105 | 0 | 0 | 0 | 105 |", md, StringComparison.Ordinal);
        Assert.Equal("conformance-grains.md", ConformanceReport.FileName("grains"));
    }
}
