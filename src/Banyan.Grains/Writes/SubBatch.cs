using Banyan.Storage.Rows;

namespace Banyan.Grains.Writes;

/// <summary>The rows of one write batch that go to one (segment, shard), and which elements of the batch they are.</summary>
/// <param name="SegmentStart">Start of the segment (nanoseconds since the Unix epoch).</param>
/// <param name="Shard">The shard number.</param>
/// <param name="Batch">The rows, columnar.</param>
/// <param name="Elements">Index in the write batch of each row, in row order.</param>
internal sealed record SubBatch(long SegmentStart, int Shard, WriteBatch Batch, List<int> Elements);
