using System.Collections.Concurrent;
using Banyan.Conformance.Running;
using Banyan.Conformance.Targets;

namespace Banyan.Conformance.Tests;

/// <summary>
/// Shared by all suite tests: one <see cref="ConformanceSession"/> per wired target, started and seeded on the first
/// case that needs it, and the report of each written to <c>TestResults/conformance-&lt;target&gt;.md</c> when the
/// collection ends (<c>$BANYAN_CONFORMANCE_REPORT_DIR</c> overrides the folder).
/// </summary>
public sealed class ConformanceRun : IAsyncLifetime
{
    /// <summary>Environment variable naming the folder for the Markdown reports.</summary>
    public const string ReportDirectoryVariable = "BANYAN_CONFORMANCE_REPORT_DIR";

    // Starting a server and seeding it is bounded; a hang fails every case of that target instead of the run.
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Lazy<Task<ConformanceSession>>> _sessions = new(StringComparer.Ordinal);

    /// <summary>The fixtures, the known failures and the options every session uses.</summary>
    public ConformanceFixtures Fixtures { get; } = ConformanceFixtures.Default;

    /// <summary>The checked-in known failures (<c>known-failures.json</c>).</summary>
    public KnownFailures KnownFailures { get; } = KnownFailures.Load(Path.Combine(AppContext.BaseDirectory, "known-failures.json"));

    /// <summary>The run's time bounds (<c>BANYAN_CONFORMANCE_TIMEOUT_S</c> overrides the per-case timeout).</summary>
    public ConformanceOptions Options { get; } = ConformanceOptions.FromEnvironment();

    /// <summary>Runs one case on the target named <paramref name="targetName"/>, starting and seeding it first if needed.</summary>
    public async Task<CaseOutcome> RunAsync(string targetName, string suite, string caseName)
    {
        ConformanceSession session = await SessionAsync(targetName);
        return await session.RunAsync(suite, caseName, CancellationToken.None);
    }

    /// <summary>The session of the target named <paramref name="targetName"/>, started and seeded on first use.</summary>
    public Task<ConformanceSession> SessionAsync(string targetName) =>
        _sessions.GetOrAdd(targetName, name => new Lazy<Task<ConformanceSession>>(() => StartAsync(name))).Value;

    /// <inheritdoc/>
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        string directory = ReportDirectory();
        foreach (Lazy<Task<ConformanceSession>> started in _sessions.Values)
        {
            if (!started.Value.IsCompletedSuccessfully)
            {
                continue;
            }

            await using ConformanceSession session = started.Value.Result;
            session.WriteReport(directory);
        }
    }

    private async Task<ConformanceSession> StartAsync(string targetName)
    {
        IConformanceTargetFactory factory = ConformanceTargets.All.Single(t => t.Name == targetName);
        using CancellationTokenSource timeout = new(s_startTimeout);
        return await ConformanceSession.StartAsync(factory, Fixtures, KnownFailures, Options, TimeProvider.System, ConformanceTargets.Suites, timeout.Token);
    }

    // <repo>/TestResults (next to Banyan.Orleans.sln), like the CI's results folder; gitignored.
    private static string ReportDirectory()
    {
        string? configured = Environment.GetEnvironmentVariable(ReportDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Banyan.Orleans.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults");
    }
}

/// <summary>The suite tests share one <see cref="ConformanceRun"/> (one seeded server per target) and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ConformanceSuitesDefinition : ICollectionFixture<ConformanceRun>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "BanyanDB conformance suites";
}
