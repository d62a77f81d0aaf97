namespace Banyan.Storage.Wal;

/// <summary>Receives one WAL record during <see cref="WriteAheadLog.Replay"/>. The payload span is only valid during the call.</summary>
/// <param name="lsn">The record's log sequence number.</param>
/// <param name="payload">The opaque bytes given to <see cref="WriteAheadLog.Append(ReadOnlySpan{byte})"/>.</param>
public delegate void WalReplayHandler(long lsn, ReadOnlySpan<byte> payload);
