namespace Banyan.Storage.Wal;

/// <summary>A WAL file's header as read (either format version).</summary>
/// <param name="Version">1 or 2.</param>
/// <param name="FirstLsn">The LSN of the file's first record.</param>
/// <param name="Size">Header size: where the first record starts.</param>
/// <param name="Commit">Version 2: the newer valid commit slot; version 1: default (no slots).</param>
/// <param name="CommitSlot">Version 2: which slot (0 or 1) holds <see cref="Commit"/>; version 1: -1.</param>
/// <param name="DamagedSlot">Version 2: a description of the other slot when its checksum failed, else null.</param>
internal readonly record struct WalFileHeader(uint Version, long FirstLsn, int Size, WalCommitMark Commit, int CommitSlot, string? DamagedSlot)
{
    public bool HasCommitSlots => Version >= WalFormat.Version;
}
