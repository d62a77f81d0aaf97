using Banyan.Grains.Writes.Wire;
using Banyan.Storage.Columns;
using Banyan.Storage.Values;

namespace Banyan.Grains.Writes;

/// <summary>Collects the valid rows of a write batch into one columnar batch per (segment, shard).</summary>
/// <param name="layout">The layout the rows follow.</param>
/// <param name="expectedRows">Rows one sub-batch is expected to receive: each is sized for that when it starts.</param>
internal sealed class SubBatchSet(SubjectLayout layout, int expectedRows)
{
    private readonly Dictionary<(long Segment, int Shard), SubBatch> _batches = [];
    private long _segment = long.MinValue;
    private SubBatch?[] _bySegmentShard = new SubBatch?[4];

    /// <summary>The sub-batches, in the order they were started.</summary>
    public IEnumerable<SubBatch> Batches => _batches.Values;

    /// <summary>How many sub-batches there are.</summary>
    public int Count => _batches.Count;

    /// <summary>Adds the row of element <paramref name="element"/>.</summary>
    public void Add(long segmentStart, int shard, ulong seriesId, long timestamp, long versionOrElementId, ColumnValue[] row, int element)
    {
        SubBatch target = For(segmentStart, shard);
        target.Batch.AddRow(seriesId, timestamp, versionOrElementId, row);
        target.Elements.Add(element);
    }

    /// <summary>
    /// Adds the row of element <paramref name="element"/>, decoded from the wire bytes <paramref name="point"/>, of
    /// <paramref name="series"/>: its entity strings point at the series' copy in <paramref name="arena"/> (the
    /// <see cref="SeriesIdCache.Arena"/> that resolved it), the other values are copied from <paramref name="point"/>.
    /// </summary>
    public void Add(long segmentStart, int shard, WireSeries series, byte[] arena, long timestamp, long version, WireRow row, ReadOnlySpan<byte> point, int element)
    {
        SubBatch target = For(segmentStart, shard);
        target.Batch.AppendKeys(series.SeriesId, new ReadOnlySpan<long>(in timestamp), version);
        IReadOnlyList<ColumnBuffer> columns = target.Batch.Columns;
        int[] entityStarts = series.ValueStarts;
        for (int c = 0; c < columns.Count; c++)
        {
            switch (row.Kinds[c])
            {
                case WireValueKind.Utf8 when entityStarts[c] >= 0:
                    columns[c].AppendSharedBytes(arena, entityStarts[c], row.Lengths[c]);
                    break;
                case WireValueKind.Utf8:
                    columns[c].AppendBytes(point.Slice(row.Starts[c], row.Lengths[c]));
                    break;
                case WireValueKind.Int64:
                    columns[c].AppendInt64(row.Numbers[c]);
                    break;
                case WireValueKind.Float64:
                    columns[c].AppendDouble(BitConverter.Int64BitsToDouble(row.Numbers[c]));
                    break;
                default:
                    columns[c].AppendNull();
                    break;
            }
        }

        target.Elements.Add(element);
    }

    // Consecutive elements usually share a segment but not a shard (series hash to shards at random): the sub-batches
    // of the last segment seen are kept by shard, so most elements skip the dictionary's lookup.
    private SubBatch For(long segmentStart, int shard)
    {
        if (segmentStart == _segment && (uint)shard < (uint)_bySegmentShard.Length && _bySegmentShard[shard] is { } known)
        {
            return known;
        }

        if (!_batches.TryGetValue((segmentStart, shard), out SubBatch? batch))
        {
            batch = new SubBatch(segmentStart, shard, layout.NewBatch(expectedRows), new List<int>(expectedRows));
            _batches.Add((segmentStart, shard), batch);
        }

        if (segmentStart != _segment)
        {
            Array.Clear(_bySegmentShard);
            _segment = segmentStart;
        }

        if (shard >= _bySegmentShard.Length)
        {
            Array.Resize(ref _bySegmentShard, Math.Max(shard + 1, _bySegmentShard.Length * 2));
        }

        _bySegmentShard[shard] = batch;
        return batch;
    }
}
