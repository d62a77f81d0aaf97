namespace Banyan.Grains.TopN;

/// <summary>
/// A ranked list a flush takes: its window, its group-by value and its bytes as its row stores them
/// (<see cref="TopNResultCodec"/>), encoded from the list's slots when taken (<see cref="TopNWindow.TakeDirty"/>).
/// </summary>
/// <param name="WindowStart">The window's start, Unix nanoseconds.</param>
/// <param name="GroupKey">The group-by value (empty without group-by tags).</param>
/// <param name="Encoded">The list's bytes, the row's binary field.</param>
internal sealed record TopNEncodedList(long WindowStart, string GroupKey, byte[] Encoded);
