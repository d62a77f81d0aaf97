namespace Banyan.Cli.Write;

/// <summary>
/// The counters of a bulk write, shared by the sender, the receiver and the progress display (hence atomic), and the
/// first failures in full (the rest only counted, so a file of bad rows cannot fill memory).
/// </summary>
public sealed class WriteStatistics
{
    private readonly Lock _failuresLock = new();
    private readonly List<WriteFailure> _failures = [];
    private long _read;
    private long _sent;
    private long _acknowledged;
    private long _failed;

    /// <summary>Keeps the first <paramref name="keepFailures"/> failures.</summary>
    public WriteStatistics(int keepFailures)
    {
        KeepFailures = keepFailures;
    }

    /// <summary>How many failures are kept in full.</summary>
    public int KeepFailures { get; }

    /// <summary>Rows read from the input (good and bad).</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>Requests sent.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Rows the server answered <c>STATUS_SUCCEED</c>.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Rows not stored: refused by the server, unreadable, or lost with a failed call.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The first failures, in the order they happened.</summary>
    public IReadOnlyList<WriteFailure> Failures
    {
        get
        {
            lock (_failuresLock)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>Counts a row read.</summary>
    public void CountRead() => Interlocked.Increment(ref _read);

    /// <summary>Counts a request sent.</summary>
    public void CountSent() => Interlocked.Increment(ref _sent);

    /// <summary>Counts an acknowledged row.</summary>
    public void CountAcknowledged() => Interlocked.Increment(ref _acknowledged);

    /// <summary>Counts a failed row and keeps it when fewer than <see cref="KeepFailures"/> are kept.</summary>
    public void CountFailed(WriteFailure failure)
    {
        Interlocked.Increment(ref _failed);
        lock (_failuresLock)
        {
            if (_failures.Count < KeepFailures)
            {
                _failures.Add(failure);
            }
        }
    }
}
