using Banyan.Conformance.Cases;
using Banyan.Conformance.Comparison;
using Banyan.Conformance.Seeding;
using Banyan.Conformance.Targets;
using Google.Protobuf;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Running;

/// <summary>
/// Runs one case against a target the way upstream's tables do: query, check, and retry until the check passes
/// ("eventually": writes become visible asynchronously), then keep checking for a stability window ("consistently"),
/// as <c>test.EventuallyConsistently</c> in <c>pkg/test/eventually.go</c> (topn uses plain Eventually then
/// Consistently, the same idea). Every wait is bounded by <see cref="ConformanceOptions"/>.
/// </summary>
/// <remarks>
/// One departure from upstream's Eventually, which retries any error: an <c>UNIMPLEMENTED</c> answer to a case that
/// does not expect an error fails the case at once. A server that does not serve the call will not start serving it
/// within the window, and retrying would only spend the whole timeout on every such case.
/// </remarks>
public sealed class CaseRunner
{
    private readonly IBanyanTarget _target;
    private readonly ConformanceFixtures _fixtures;
    private readonly BaseTime _baseTime;
    private readonly ConformanceOptions _options;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyDictionary<string, string> _writtenElements;

    /// <summary>
    /// A runner querying <paramref name="target"/>, seeded at <paramref name="baseTime"/>. <paramref name="writtenElements"/>
    /// (<see cref="SeedResult.StreamElements"/>) lets reports name the written element behind an <c>element_id</c>.
    /// </summary>
    public CaseRunner(
        IBanyanTarget target, ConformanceFixtures fixtures, BaseTime baseTime, ConformanceOptions options, TimeProvider clock,
        IReadOnlyDictionary<string, string>? writtenElements = null)
    {
        _writtenElements = writtenElements ?? new Dictionary<string, string>();
        _target = target;
        _fixtures = fixtures;
        _baseTime = baseTime;
        _options = options;
        _clock = clock;
    }

    /// <summary>Runs <paramref name="conformanceCase"/> of <paramref name="suite"/>; returns <see cref="CaseStatus.Passed"/> or <see cref="CaseStatus.Failed"/>.</summary>
    public async Task<CaseOutcome> RunAsync(ConformanceSuite suite, ConformanceCase conformanceCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(conformanceCase);
        long started = _clock.GetTimestamp();
        IMessage request = CaseRequests.Build(_fixtures, suite, conformanceCase, _baseTime);
        IMessage? want = conformanceCase.WantErr || conformanceCase.WantEmpty ? null : CaseRequests.ReadWant(_fixtures, suite, conformanceCase);
        ResponseComparer comparer = new(suite, _options.MaxDifferences);

        int attempts = 0;
        AttemptResult last;
        while (true)
        {
            attempts++;
            last = await AttemptAsync(suite, conformanceCase, request, want, comparer, cancellationToken);
            if (last.Passed || last.Final || _clock.GetElapsedTime(started) >= _options.EventuallyTimeout)
            {
                break;
            }

            await Task.Delay(_options.PollInterval, _clock, cancellationToken);
        }

        if (!last.Passed)
        {
            string retries = last.Final ? "not retried: the server does not implement the call" : $"still failing after {attempts} attempts in {Seconds(_clock.GetElapsedTime(started))}";
            return Outcome(suite, conformanceCase, CaseStatus.Failed, $"{last.Reason} ({retries})", last.Differences, attempts, started);
        }

        // Consistently: a short window after a first-try pass, the full one after a retried convergence.
        TimeSpan window = attempts == 1 ? _options.QuickStabilityWindow : _options.StabilityWindow;
        long stableFrom = _clock.GetTimestamp();
        while (_clock.GetElapsedTime(stableFrom) < window)
        {
            await Task.Delay(_options.PollInterval < window ? _options.PollInterval : window, _clock, cancellationToken);
            attempts++;
            AttemptResult again = await AttemptAsync(suite, conformanceCase, request, want, comparer, cancellationToken);
            if (!again.Passed)
            {
                return Outcome(suite, conformanceCase, CaseStatus.Failed, $"passed, then failed within the {Seconds(window)} stability window: {again.Reason}", again.Differences, attempts, started);
            }
        }

        if (_options.CheckQueryTrace && !conformanceCase.WantErr)
        {
            attempts++;
            string? traceProblem = await CheckTraceAsync(request, cancellationToken);
            if (traceProblem is not null)
            {
                return Outcome(suite, conformanceCase, CaseStatus.Failed, traceProblem, null, attempts, started);
            }
        }

        return Outcome(suite, conformanceCase, CaseStatus.Passed, string.Empty, null, attempts, started);
    }

    private async Task<AttemptResult> AttemptAsync(
        ConformanceSuite suite, ConformanceCase conformanceCase, IMessage request, IMessage? want, ResponseComparer comparer, CancellationToken cancellationToken)
    {
        IMessage response;
        using (CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.RpcTimeout);
            try
            {
                response = await QueryAsync(request, timeout.Token);
            }
            catch (Exception e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested && IsCancellation(e))
            {
                return AttemptResult.Fail($"{suite.Rpc} gave no answer within {Seconds(_options.RpcTimeout)}");
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Upstream: "if args.WantErr { if err == nil { Fail } return }"; otherwise the error fails the attempt.
                return conformanceCase.WantErr
                    ? AttemptResult.Pass
                    : AttemptResult.Fail($"{suite.Rpc} failed: {ErrorText(e)}", final: e is RpcException { StatusCode: StatusCode.Unimplemented });
            }
        }

        if (conformanceCase.WantErr)
        {
            return AttemptResult.Fail($"expected {suite.Rpc} to fail (wantErr), but it answered {ValueText.Of(response)}");
        }

        ComparisonResult result = conformanceCase.WantEmpty ? comparer.CheckEmpty(response) : comparer.Compare(conformanceCase, want!, response);
        return result.Equal
            ? AttemptResult.Pass
            : AttemptResult.Fail(conformanceCase.WantEmpty ? "expected an empty result (wantEmpty)" : $"the response differs from {suite.WantPath(conformanceCase)} in {result.Count} places", result);
    }

    private async Task<IMessage> QueryAsync(IMessage request, CancellationToken cancellationToken) => request switch
    {
        StreamV1.QueryRequest stream => await _target.StreamQueryAsync(stream, cancellationToken),
        MeasureV1.QueryRequest measure => await _target.MeasureQueryAsync(measure, cancellationToken),
        MeasureV1.TopNRequest topN => await _target.TopNAsync(topN, cancellationToken),
        _ => throw new NotSupportedException($"No target call for {request.Descriptor.FullName}."),
    };

    // Upstream reruns a passing query with trace: true and expects spans (optional for a reimplementation).
    private async Task<string?> CheckTraceAsync(IMessage request, CancellationToken cancellationToken)
    {
        IMessage traced = request.Descriptor.Parser.ParseFrom(request.ToByteString());
        traced.Descriptor.FindFieldByName("trace").Accessor.SetValue(traced, true);
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RpcTimeout);
        IMessage response;
        try
        {
            response = await QueryAsync(traced, timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the query with trace: true failed: {ErrorText(e)}";
        }

        return response.Descriptor.FindFieldByName("trace").Accessor.GetValue(response) is Banyan.Api.Common.V1.Trace { Spans.Count: > 0 }
            ? null
            : "the query with trace: true answered no trace spans";
    }

    private CaseOutcome Outcome(ConformanceSuite suite, ConformanceCase conformanceCase, CaseStatus status, string reason, ComparisonResult? differences, int attempts, long started) => new()
    {
        Case = conformanceCase,
        InputPath = suite.InputPath(conformanceCase),
        WantPath = suite.WantPath(conformanceCase),
        Status = status,
        Reason = reason,
        Differences = differences is null ? [] : [.. differences.Differences.Select(NameElements)],
        DifferenceCount = differences?.Count ?? 0,
        Attempts = attempts,
        Elapsed = _clock.GetElapsedTime(started),
    };

    // "0978df79cf4ed409" → "0978df79cf4ed409" (default|sw|0): which written element an id in a difference is.
    private Difference NameElements(Difference difference)
    {
        if (!difference.Path.EndsWith("element_id", StringComparison.Ordinal))
        {
            return difference;
        }

        return difference with { Expected = NameElement(difference.Expected), Actual = NameElement(difference.Actual) };
    }

    private string NameElement(string value) =>
        value.Length > 2 && _writtenElements.TryGetValue(value.Trim('"'), out string? written) ? $"{value} ({written})" : value;

    private static bool IsCancellation(Exception e) =>
        e is OperationCanceledException || (e is RpcException rpc && rpc.StatusCode is StatusCode.Cancelled or StatusCode.DeadlineExceeded);

    private static string ErrorText(Exception e) => e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : $"{e.GetType().Name}: {e.Message}";

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds.ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture)} s";

    // Final: a failure that retrying cannot change (the server does not implement the call).
    private readonly record struct AttemptResult(bool Passed, string Reason, ComparisonResult? Differences, bool Final)
    {
        public static AttemptResult Pass => new(true, string.Empty, null, false);

        public static AttemptResult Fail(string reason, ComparisonResult? differences = null, bool final = false) => new(false, reason, differences, final);
    }
}
