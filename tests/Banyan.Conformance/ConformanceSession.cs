using System.Collections.Concurrent;
using Banyan.Conformance.Cases;
using Banyan.Conformance.Reporting;
using Banyan.Conformance.Running;
using Banyan.Conformance.Seeding;
using Banyan.Conformance.Targets;

namespace Banyan.Conformance;

/// <summary>
/// One conformance run against one target: starts it, seeds it once (schemas in upstream order, then the write
/// schedule), runs cases on demand, classifies them against the known-failures list, and renders the report.
/// Test projects hold one session per target for all their case tests.
/// </summary>
public sealed class ConformanceSession : IAsyncDisposable
{
    private readonly ConformanceTargetLease _lease;
    private readonly ConformanceFixtures _fixtures;
    private readonly KnownFailures _knownFailures;
    private readonly ConformanceOptions _options;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<ConformanceSuite> _suites;
    private readonly ConcurrentDictionary<string, CaseOutcome> _outcomes = new(StringComparer.Ordinal);

    private ConformanceSession(
        ConformanceTargetLease lease, ConformanceFixtures fixtures, KnownFailures knownFailures, ConformanceOptions options,
        TimeProvider clock, IReadOnlyList<ConformanceSuite> suites, SeedResult? seed, string? seedFailure)
    {
        _lease = lease;
        _fixtures = fixtures;
        _knownFailures = knownFailures;
        _options = options;
        _clock = clock;
        _suites = suites;
        Seed = seed;
        SeedFailure = seedFailure;
    }

    /// <summary>The target's name.</summary>
    public string TargetName => _lease.Target.Name;

    /// <summary>The seeding result, or null when seeding failed.</summary>
    public SeedResult? Seed { get; }

    /// <summary>Why seeding failed (step and message), or null when it succeeded.</summary>
    public string? SeedFailure { get; }

    /// <summary>The outcomes recorded so far, keyed by <see cref="ConformanceCase.Key"/>.</summary>
    public IReadOnlyDictionary<string, CaseOutcome> Outcomes => _outcomes;

    /// <summary>
    /// Starts a target with <paramref name="factory"/> and seeds the catalogs that <paramref name="suiteNames"/> read
    /// (stream → stream; measure and topn → measure). A seeding failure is kept in <see cref="SeedFailure"/> so
    /// every case can report it; a target that does not start throws.
    /// </summary>
    public static async Task<ConformanceSession> StartAsync(
        IConformanceTargetFactory factory, ConformanceFixtures fixtures, KnownFailures knownFailures, ConformanceOptions options,
        TimeProvider clock, IReadOnlyList<string> suiteNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(fixtures);
        ArgumentNullException.ThrowIfNull(suiteNames);
        List<ConformanceSuite> suites = [.. suiteNames.Select(fixtures.Cases.Get)];
        HashSet<string> catalogs = new(suiteNames.Select(s => s == "topn" ? "measure" : s), StringComparer.Ordinal);
        ConformanceTargetLease lease = await factory.StartAsync(cancellationToken);
        try
        {
            ConformanceSeeder seeder = new(lease.Target, fixtures.Root, fixtures.Seed, options, clock);
            SeedResult seed = await seeder.SeedAsync(catalogs, cancellationToken);
            return new ConformanceSession(lease, fixtures, knownFailures, options, clock, suites, seed, null);
        }
        catch (SeedStepFailedException e)
        {
            return new ConformanceSession(lease, fixtures, knownFailures, options, clock, suites, null, e.Message);
        }
        catch
        {
            await lease.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the case <paramref name="caseName"/> of <paramref name="suiteName"/> and records its outcome.</summary>
    public async Task<CaseOutcome> RunAsync(string suiteName, string caseName, CancellationToken cancellationToken)
    {
        ConformanceSuite suite = _suites.FirstOrDefault(s => s.Name == suiteName)
            ?? throw new ArgumentException($"This session does not run the '{suiteName}' suite.", nameof(suiteName));
        ConformanceCase conformanceCase = suite.Get(caseName);
        CaseOutcome outcome;
        if (Seed is null)
        {
            outcome = new CaseOutcome
            {
                Case = conformanceCase,
                InputPath = suite.InputPath(conformanceCase),
                WantPath = suite.WantPath(conformanceCase),
                Status = CaseStatus.NotRun,
                Reason = SeedFailure ?? "not seeded",
            };
        }
        else
        {
            CaseRunner runner = new(_lease.Target, _fixtures, Seed.BaseTime, _options, _clock, Seed.StreamElements);
            outcome = Classify(await runner.RunAsync(suite, conformanceCase, cancellationToken), _knownFailures.ReasonFor(conformanceCase));
        }

        _outcomes[conformanceCase.Key] = outcome;
        return outcome;
    }

    /// <summary>
    /// Applies the known-failures list to an outcome: a listed failure becomes <see cref="CaseStatus.KnownFailure"/>, a
    /// listed pass <see cref="CaseStatus.UnexpectedPass"/>.
    /// </summary>
    public static CaseOutcome Classify(CaseOutcome outcome, string? knownReason)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (knownReason is null)
        {
            return outcome;
        }

        return outcome.Status switch
        {
            CaseStatus.Passed => outcome with
            {
                Status = CaseStatus.UnexpectedPass,
                Reason = $"listed in known-failures.json (\"{knownReason}\") but it passes now: remove it from the list",
            },
            CaseStatus.Failed => outcome with { Status = CaseStatus.KnownFailure, Reason = $"{knownReason} (this run: {outcome.Reason})" },
            _ => outcome,
        };
    }

    /// <summary>The Markdown report of the outcomes so far.</summary>
    public string RenderReport() => ConformanceReport.Render(TargetName, _suites, _outcomes, Seed, SeedFailure, _clock.GetUtcNow());

    /// <summary>Writes <see cref="RenderReport"/> to <c>conformance-&lt;target&gt;.md</c> in <paramref name="directory"/>; returns the path.</summary>
    public string WriteReport(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, ConformanceReport.FileName(TargetName));
        File.WriteAllText(path, RenderReport());
        return path;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _lease.DisposeAsync();
}
