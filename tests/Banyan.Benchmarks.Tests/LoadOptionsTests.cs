using Banyan.Benchmarks.Load;
using Xunit;

namespace Banyan.Benchmarks.Tests;

/// <summary>The load command's options that need more than a value: what they switch on and what they refuse.</summary>
public sealed class LoadOptionsTests
{
    [Fact]
    public void Queries_before_the_restart_are_asked_for_by_their_option_and_off_by_default()
    {
        Assert.True(LoadOptions.Parse(["--queries-before-restart"]).QueriesBeforeRestart);
        Assert.False(LoadOptions.Parse([]).QueriesBeforeRestart);
    }

    [Fact]
    public void The_query_phase_allocation_trace_is_its_own_file_apart_from_the_write_phase_one()
    {
        LoadOptions both = LoadOptions.Parse(["--alloc-trace", "w.nettrace", "--alloc-trace-queries", "q.nettrace"]);
        Assert.Equal(Path.GetFullPath("w.nettrace"), both.AllocTraceFile);
        Assert.Equal(Path.GetFullPath("q.nettrace"), both.AllocTraceQueriesFile);

        LoadOptions queriesOnly = LoadOptions.Parse(["--alloc-trace-queries", "q.nettrace"]);
        Assert.Null(queriesOnly.AllocTraceFile);
        Assert.Equal(Path.GetFullPath("q.nettrace"), queriesOnly.AllocTraceQueriesFile);
        Assert.Null(LoadOptions.Parse([]).AllocTraceQueriesFile);
    }

    [Fact]
    public void Queries_before_the_restart_are_refused_without_a_write_phase()
    {
        // --queries-on copies a kept folder and starts the silo once, after it: there is no silo that took the writes.
        ArgumentException refused = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--queries-before-restart", "--queries-on", Path.GetTempPath()]));
        Assert.Contains("--queries-before-restart", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--queries-on", refused.Message, StringComparison.Ordinal);
    }
}
