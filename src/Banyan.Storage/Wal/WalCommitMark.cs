namespace Banyan.Storage.Wal;

/// <summary>
/// What a WAL file's commit slot records: every record up to <see cref="End"/> (the file offset just
/// past the record with <see cref="LastLsn"/>) was acknowledged. Written after each group commit's
/// fsync and before its writers are woken, so it covers every acknowledged record whenever the
/// kernel keeps what was written (a process kill); it reaches the disk with the next fsync, so after
/// a power loss it may lag by the last group commit (see <c>docs/format/wal.md</c>).
/// </summary>
/// <param name="End">File offset just past the last acknowledged record; the header size when none.</param>
/// <param name="LastLsn">LSN of that record; the file's first LSN − 1 when none.</param>
/// <param name="Sealed">The file is complete: it was rotated out and the next file exists.</param>
public readonly record struct WalCommitMark(long End, long LastLsn, bool Sealed)
{
    /// <summary>The mark of a file whose records are not acknowledged yet.</summary>
    public static WalCommitMark Empty(long firstLsn) => new(WalFormat.HeaderSize, firstLsn - 1, false);
}
