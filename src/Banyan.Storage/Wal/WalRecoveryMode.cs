namespace Banyan.Storage.Wal;

/// <summary>What <see cref="WriteAheadLog.Open"/> does when acknowledged records are damaged or missing.</summary>
public enum WalRecoveryMode
{
    /// <summary>
    /// Refuse to open: raise <see cref="StorageCorruptionException"/> naming the file and offset.
    /// Opening never silently continues with fewer acknowledged records. The default.
    /// </summary>
    Strict,

    /// <summary>
    /// The operator's choice after <see cref="Strict"/> refused: keep every record before the first
    /// damaged byte, drop everything from there to the end of the log (later files included), and
    /// list each dropped range in <see cref="WriteAheadLog.Recovery"/>. Records after the damage are
    /// dropped even when intact, because LSNs must stay an unbroken run.
    /// </summary>
    Repair,
}
