using Banyan.Storage.Parts;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Shards;

/// <summary>
/// A memory part in a view: the part (reference counted), the unbroken LSN run of writes it holds,
/// and the memory charged to it (freed when a flush installs the disk part that replaces it).
/// </summary>
/// <param name="FirstLsn">LSN of its first write.</param>
/// <param name="LastLsn">LSN of its last write: with every memory part before it, the records up to here.</param>
/// <param name="Handle">The part.</param>
/// <param name="Bytes">Memory charged (a seal that yields several parts charges the last one).</param>
internal sealed record MemoryPartEntry(long FirstLsn, long LastLsn, PartHandle<IPartReader> Handle, long Bytes);
