namespace Banyan.Storage.Wal;

/// <summary>Settings of one <see cref="WriteAheadLog"/>.</summary>
public sealed class WalOptions
{
    /// <summary>
    /// A WAL file is closed and a new one started once it would grow past this size (bytes;
    /// default 64 MiB). A single record larger than this gets a file of its own. Smaller files
    /// let <see cref="WriteAheadLog.Truncate"/> free space sooner; larger ones mean fewer files.
    /// </summary>
    public long MaxFileSize { get; init; } = 64L << 20;

    /// <summary>
    /// The LSN the first record gets when the directory holds no WAL file (default 1). A shard
    /// passes one more than the LSN its snapshot says was flushed, so LSNs never go backwards even
    /// after every WAL file has been truncated away. Records below it are flushed, so files may be
    /// missing below it (a WAL switched off and on again starts its new file here).
    /// </summary>
    public long MinimumNextLsn { get; init; } = 1;

    /// <summary>
    /// What opening does when acknowledged records are damaged or missing (default
    /// <see cref="WalRecoveryMode.Strict"/>: refuse with <see cref="StorageCorruptionException"/>).
    /// A torn write that was never acknowledged is cut off in either mode.
    /// </summary>
    public WalRecoveryMode Recovery { get; init; } = WalRecoveryMode.Strict;
}
