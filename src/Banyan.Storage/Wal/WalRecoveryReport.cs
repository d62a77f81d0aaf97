namespace Banyan.Storage.Wal;

/// <summary>What <see cref="WriteAheadLog.Open"/> repaired, for logs and tests.</summary>
/// <param name="TornFilePath">The newest WAL file, cut back to its last whole record; null when nothing was torn.</param>
/// <param name="TornBytesRemoved">How many bytes were cut off that file (0 when nothing was torn).</param>
/// <param name="TornProblem">Why the first dropped record was rejected (null when nothing was torn).</param>
/// <param name="RemovedEmptyFile">A newest WAL file whose header was never completely written, and which was deleted.</param>
public sealed record WalRecoveryReport(string? TornFilePath, long TornBytesRemoved, string? TornProblem, string? RemovedEmptyFile)
{
    /// <summary>Nothing needed repair.</summary>
    public static WalRecoveryReport Clean { get; } = new(null, 0, null, null);
}
