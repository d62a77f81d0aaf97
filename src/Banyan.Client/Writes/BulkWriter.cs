using System.Collections.Immutable;
using Banyan.GrainInterfaces.Writes;
using Google.Protobuf;

namespace Banyan.Client.Writes;

/// <summary>
/// Batches points of one stream or measure into grain calls with bounded memory, retries what a transient failure kept
/// from being stored, and reports every point that was not stored with its status. <see cref="MeasureWriter"/> and
/// <see cref="StreamElementWriter"/> say how a point becomes a request and how a batch is sent.
/// </summary>
/// <remarks>
/// <para>
/// Points go into the batch being filled; it is sent when it holds <see cref="BulkWriterOptions.BatchSize"/> points,
/// <see cref="BulkWriterOptions.FlushInterval"/> after its first point, or on <see cref="CompleteAsync"/>. Every batch,
/// the one being filled included, holds one of <see cref="BulkWriterOptions.MaxInFlightBatches"/> slots until each of
/// its points is settled (retries included); <see cref="WriteAsync"/> waits for a free slot before it takes a point that
/// starts a new batch. So at most MaxInFlightBatches × BatchSize points are held at once.
/// </para>
/// <para>
/// A point is settled when the cluster answers <c>STATUS_SUCCEED</c> (acknowledged: durable) or when it is final that it
/// was not stored (failed: refused, or a transient failure outlasted <see cref="BulkWriterOptions.MaxAttempts"/>).
/// Only what is safe to send again is retried (<see cref="TransientFailures"/>, <see cref="IsSafeToResend"/>).
/// </para>
/// <para>
/// <see cref="WriteAsync"/> may be called from several tasks at once (points then take the order they entered in).
/// Do not change a point after handing it over: it is sent as it is when its batch goes.
/// </para>
/// </remarks>
/// <typeparam name="TPoint">The point given to <see cref="WriteAsync"/>.</typeparam>
/// <typeparam name="TRequest">The write request a point travels in.</typeparam>
public abstract class BulkWriter<TPoint, TRequest> : IAsyncDisposable
    where TPoint : class, IMessage
{
    private readonly BulkWriterOptions _options;
    private readonly TimeProvider _clock;

    // Held by WriteAsync, a due flush and completion: only one of them changes the batch being filled at a time.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // One per batch held (being filled, sent, waiting for a retry): the bound on memory.
    private readonly SemaphoreSlim _slots;

    // Guards the counters, the failures kept and the set of batches in progress.
    private readonly Lock _sync = new();
    private readonly HashSet<Task> _batches = [];
    private readonly List<WriteFailure<TPoint>> _failures = [];
    private List<Pending>? _filling;
    private ITimer? _flushTimer;
    private long _fillingGeneration;
    private long _written;
    private long _acknowledged;
    private long _expired;
    private long _failed;
    private long _retried;
    private long _held;
    private long _peakHeld;
    private long _calls;
    private int _inFlight;
    private int _peakInFlight;
    private Exception? _callbackError;
    private bool _closed;
    private bool _disposed;
    private Task<BulkWriteResult<TPoint>>? _completion;

    /// <summary>Creates a writer; <paramref name="options"/> are checked and copied.</summary>
    /// <exception cref="BanyanClientSettingException">An option is out of range.</exception>
    protected BulkWriter(BulkWriterOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        options.Validate(nameof(BulkWriterOptions));
        _options = options.Clone();
        _clock = clock;
        _slots = new SemaphoreSlim(_options.MaxInFlightBatches, _options.MaxInFlightBatches);
    }

    /// <summary>The options in force (a copy: changing it changes nothing).</summary>
    public BulkWriterOptions Options => _options.Clone();

    /// <summary>A snapshot of the counters.</summary>
    public BulkWriterStatistics Statistics
    {
        get
        {
            lock (_sync)
            {
                return new BulkWriterStatistics(_written, _acknowledged, _failed, _retried, _held, _peakHeld, _inFlight, _peakInFlight, _calls);
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="point"/> for writing and returns its sequence number (0 for the first point of this
    /// writer). Returns as soon as the point is buffered, not when it is stored; waits while
    /// <see cref="BulkWriterOptions.MaxInFlightBatches"/> batches are held (back-pressure).
    /// </summary>
    /// <param name="point">The point; not to be changed afterwards.</param>
    /// <param name="cancellationToken">Stops the wait for room; the point is then not taken.</param>
    /// <exception cref="InvalidOperationException"><see cref="CompleteAsync"/> was called.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting for room; the point was not taken.</exception>
    public async ValueTask<long> WriteAsync(TPoint point, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(point);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_closed)
            {
                throw new InvalidOperationException("The writer is completed: CompleteAsync was called, so it takes no more points; create a new writer.");
            }

            TRequest request = RequestOf(point);
            if (_filling is null)
            {
                // Back-pressure: a new batch needs a slot, and a slot frees only when a batch is settled.
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                StartFilling();
            }

            long sequence;
            lock (_sync)
            {
                sequence = _written++;
                _held++;
                _peakHeld = Math.Max(_peakHeld, _held);
            }

            _filling!.Add(new Pending(sequence, point, request));
            if (_filling.Count >= _options.BatchSize)
            {
                SendFilling();
            }

            return sequence;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Sends what is buffered, takes no more points, and returns once every point taken is acknowledged or reported
    /// failed. Calling it again returns the same result.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the writer goes on settling its points; dispose it or call again).</param>
    /// <exception cref="InvalidOperationException">The <see cref="BulkWriterOptions.OnFailure"/> callback threw (inner exception); every point is settled all the same.</exception>
    public async Task<BulkWriteResult<TPoint>> CompleteAsync(CancellationToken cancellationToken = default)
    {
        BulkWriteResult<TPoint> result = await Completion().WaitAsync(cancellationToken).ConfigureAwait(false);
        Exception? callbackError;
        lock (_sync)
        {
            callbackError = _callbackError;
        }

        if (callbackError is not null)
        {
            throw new InvalidOperationException($"The OnFailure callback threw ({callbackError.GetType().Name}: {callbackError.Message}); every point is settled all the same: {result.Acknowledged} acknowledged, {result.Failed} failed.", callbackError);
        }

        return result;
    }

    /// <summary>
    /// Completes the writer if <see cref="CompleteAsync"/> was not called: what was taken is still sent and settled
    /// (failures go to <see cref="BulkWriterOptions.OnFailure"/>), then the writer is closed. Never throws for failed
    /// points or a throwing callback; call <see cref="CompleteAsync"/> first to see them.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await Completion().ConfigureAwait(false);
        _disposed = true;
        GC.SuppressFinalize(this);
    }

    /// <summary>The request <paramref name="point"/> travels in, built once: retries re-send the same request.</summary>
    protected abstract TRequest RequestOf(TPoint point);

    /// <summary>Sends one batch (one grain call).</summary>
    protected abstract Task<WriteOutcome> SendAsync(ImmutableArray<TRequest> requests);

    /// <summary>
    /// Whether sending <paramref name="request"/> again after a failure that may have stored it (a timeout, a shard
    /// that failed mid-write) cannot store it twice.
    /// </summary>
    protected abstract bool IsSafeToResend(TRequest request);

    /// <summary>What a failure report says when a transient failure was not retried because the point is not safe to send again.</summary>
    protected abstract string NotResentReason { get; }

    private Task<BulkWriteResult<TPoint>> Completion()
    {
        lock (_sync)
        {
            return _completion ??= CompleteCoreAsync();
        }
    }

    private async Task<BulkWriteResult<TPoint>> CompleteCoreAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _closed = true;
            if (_filling is not null)
            {
                SendFilling();
            }
        }
        finally
        {
            _gate.Release();
        }

        Task[] batches;
        lock (_sync)
        {
            batches = [.. _batches];
        }

        // No batch starts after _closed, so these are the last ones; each settles all of its points and never throws.
        await Task.WhenAll(batches).ConfigureAwait(false);
        lock (_sync)
        {
            return new BulkWriteResult<TPoint>(_written, _acknowledged, _expired, _failed, _retried, [.. _failures]);
        }
    }

    private void StartFilling()
    {
        _filling = new List<Pending>(Math.Min(_options.BatchSize, 1024));
        lock (_sync)
        {
            _inFlight++;
            _peakInFlight = Math.Max(_peakInFlight, _inFlight);
        }

        long generation = ++_fillingGeneration;
        _flushTimer = _clock.CreateTimer(_ => _ = FlushDueAsync(generation), null, _options.FlushInterval, Timeout.InfiniteTimeSpan);
    }

    // Called with the gate held.
    private void SendFilling()
    {
        List<Pending> batch = _filling!;
        _filling = null;
        _flushTimer?.Dispose();
        _flushTimer = null;
        Task settled = SettleAsync(batch);
        lock (_sync)
        {
            if (!settled.IsCompleted)
            {
                _batches.Add(settled);
            }
        }

        _ = settled.ContinueWith(
            (t, state) =>
            {
                BulkWriter<TPoint, TRequest> writer = (BulkWriter<TPoint, TRequest>)state!;
                lock (writer._sync)
                {
                    writer._batches.Remove(t);
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    // The batch being filled has waited FlushInterval since its first point: send it as it is (a trickle of points).
    private async Task FlushDueAsync(long generation)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_filling is not null && _fillingGeneration == generation)
            {
                SendFilling();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // Sends the batch, then re-sends what a transient failure kept from being stored, until every point is settled.
    private async Task SettleAsync(List<Pending> batch)
    {
        await Task.Yield();
        List<Pending> pending = batch;
        try
        {
            for (int attempt = 1; pending.Count > 0; attempt++)
            {
                bool mayRetry = attempt < _options.MaxAttempts;
                List<Pending> again = [];
                ImmutableArray<TRequest> requests = [.. pending.Select(p => p.Request)];
                lock (_sync)
                {
                    _calls++;
                }

                WriteOutcome outcome;
                try
                {
                    outcome = await SendAsync(requests).ConfigureAwait(false);
                    if (outcome.Statuses.Length != pending.Count)
                    {
                        throw new InvalidOperationException($"The write grain answered {outcome.Statuses.Length} statuses for {pending.Count} points; this is a bug in the grain.");
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    bool transient = TransientFailures.IsTransient(e);
                    foreach (Pending point in pending)
                    {
                        if (transient && mayRetry && IsSafeToResend(point.Request))
                        {
                            again.Add(point);
                        }
                        else
                        {
                            string message = !transient
                                ? $"the write call failed ({e.GetType().Name}): {e.Message}"
                                : mayRetry
                                    ? $"the write call failed ({e.GetType().Name}): {e.Message}; not retried: {NotResentReason}"
                                    : $"the write call failed {attempt} time(s), the last time ({e.GetType().Name}): {e.Message}";
                            Fail(point, WriteStatus.InternalError, message, attempt);
                        }
                    }

                    pending = await NextAttemptAsync(again, attempt).ConfigureAwait(false);
                    continue;
                }

                Dictionary<int, ElementRefusal> refusals = outcome.Refusals.ToDictionary(r => r.Index);
                long acknowledged = 0;
                for (int i = 0; i < pending.Count; i++)
                {
                    WriteStatus status = outcome.Statuses[i];
                    if (status == WriteStatus.Succeed)
                    {
                        acknowledged++;
                        continue;
                    }

                    ElementRefusal? refusal = refusals.GetValueOrDefault(i);
                    string reason = refusal?.Reason ?? "refused without a reason";
                    bool retryable = TransientFailures.IsRetryable(status, refusal);
                    bool safe = status == WriteStatus.SchemaNotApplied || IsSafeToResend(pending[i].Request);
                    if (retryable && mayRetry && safe)
                    {
                        again.Add(pending[i]);
                    }
                    else
                    {
                        string message = !retryable ? reason : !safe ? $"{reason}; not retried: {NotResentReason}" : $"{reason} (after {attempt} attempts)";
                        Fail(pending[i], status, message, attempt);
                    }
                }

                lock (_sync)
                {
                    _acknowledged += acknowledged;
                    _expired += outcome.Expired;
                    _held -= acknowledged;
                }

                pending = await NextAttemptAsync(again, attempt).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing above throws but a bug; still, no point may stay unsettled (CompleteAsync would wait for it).
            foreach (Pending point in pending)
            {
                Fail(point, WriteStatus.InternalError, $"the writer failed ({e.GetType().Name}): {e.Message}; this is a bug", 0);
            }
        }
        finally
        {
            lock (_sync)
            {
                _inFlight--;
            }

            _slots.Release();
        }
    }

    // Waits the backoff before re-sending the points of `again` (none: returns at once).
    private async Task<List<Pending>> NextAttemptAsync(List<Pending> again, int attempt)
    {
        if (again.Count == 0)
        {
            return again;
        }

        lock (_sync)
        {
            _retried += again.Count;
        }

        await Task.Delay(Backoff(attempt), _clock).ConfigureAwait(false);
        return again;
    }

    // Exponential from InitialBackoff, capped at MaxBackoff, with "equal jitter" (half fixed, half random) so that
    // writers failing together do not retry together and no wait is close to zero.
    private TimeSpan Backoff(int attempt)
    {
        double full = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds((full / 2) + (Random.Shared.NextDouble() * full / 2));
    }

    private void Fail(Pending point, WriteStatus status, string message, int attempts)
    {
        WriteFailure<TPoint> failure = new(point.Sequence, point.Point, status, message, attempts);
        lock (_sync)
        {
            _failed++;
            _held--;
            if (_failures.Count < _options.MaxRetainedFailures)
            {
                _failures.Add(failure);
            }
        }

        if (_options.OnFailure is { } callback)
        {
            try
            {
                callback(failure);
            }
            catch (Exception e)
            {
                lock (_sync)
                {
                    _callbackError ??= e;
                }
            }
        }
    }

    private sealed record Pending(long Sequence, TPoint Point, TRequest Request);
}
