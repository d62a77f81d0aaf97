namespace Banyan.Storage.Wal;

/// <summary>
/// What <see cref="WriteAheadLog.Open"/> dropped, byte range by byte range, and why; for logs, for
/// the operator and for tests. Empty (<see cref="Clean"/>) when the log was found as it was left.
/// </summary>
/// <param name="Dropped">Every byte range removed from the log, in file order.</param>
/// <param name="Warnings">Damage that cost nothing (a damaged commit slot whose twin was intact).</param>
public sealed record WalRecoveryReport(IReadOnlyList<WalDroppedRange> Dropped, IReadOnlyList<string> Warnings)
{
    /// <summary>Nothing was dropped and nothing was damaged.</summary>
    public static WalRecoveryReport Clean { get; } = new([], []);

    /// <summary>True when nothing was dropped and nothing was damaged.</summary>
    public bool IsClean => Dropped.Count == 0 && Warnings.Count == 0;

    /// <summary>Bytes of torn writes cut off the newest file (writes that were never acknowledged).</summary>
    public long TornBytesRemoved => Sum(WalDropKind.TornTail);

    /// <summary>The file a torn tail was cut off, or null.</summary>
    public string? TornFilePath => First(WalDropKind.TornTail)?.FilePath;

    /// <summary>Why the first dropped torn record was rejected, or null.</summary>
    public string? TornProblem => First(WalDropKind.TornTail)?.Reason;

    /// <summary>A WAL file whose creation never finished, deleted; or null.</summary>
    public string? RemovedEmptyFile => First(WalDropKind.UnfinishedFile)?.FilePath;

    /// <summary>Bytes of acknowledged data dropped by <see cref="WalRecoveryMode.Repair"/> (0 in strict mode, which refuses instead).</summary>
    public long DamagedBytesDropped => Sum(WalDropKind.Damaged);

    private long Sum(WalDropKind kind)
    {
        long total = 0;
        foreach (WalDroppedRange range in Dropped)
        {
            if (range.Kind == kind)
            {
                total += range.Length;
            }
        }

        return total;
    }

    private WalDroppedRange? First(WalDropKind kind)
    {
        foreach (WalDroppedRange range in Dropped)
        {
            if (range.Kind == kind)
            {
                return range;
            }
        }

        return null;
    }
}

/// <summary>One byte range <see cref="WriteAheadLog.Open"/> removed from the log.</summary>
/// <param name="FilePath">The file.</param>
/// <param name="Offset">Where the dropped bytes start.</param>
/// <param name="Length">How many bytes (to the end of the file, or the whole file); 0 for a file found missing.</param>
/// <param name="Kind">Why, in one word.</param>
/// <param name="Reason">Why, in words: what was found there and what it means.</param>
public sealed record WalDroppedRange(string FilePath, long Offset, long Length, WalDropKind Kind, string Reason);

/// <summary>Why bytes were dropped from the WAL at open.</summary>
public enum WalDropKind
{
    /// <summary>After the last acknowledged record of the newest file: a write that was never acknowledged, cut short by a crash.</summary>
    TornTail,

    /// <summary>A WAL file whose creation never finished (a temporary file, or a file with no complete header after a file that was never sealed): it never held a record.</summary>
    UnfinishedFile,

    /// <summary>Acknowledged data found damaged or missing, dropped because the operator chose <see cref="WalRecoveryMode.Repair"/>.</summary>
    Damaged,
}
