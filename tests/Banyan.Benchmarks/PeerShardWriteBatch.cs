using Banyan.Benchmarks.Load;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Benchmarks;

/// <summary>
/// One shard write of the peer load as the write planner hands it to a shard: rows of distinct series of gen.py's
/// latency measure (a shard's share, one metric), their three SkyWalking-style entity tags (<c>service_id</c>,
/// <c>instance_id</c>, <c>endpoint_id</c>, columns 0-2) and a float field (column 3), series ids 1 + the dataset's series.
/// </summary>
internal static class PeerShardWriteBatch
{
    /// <summary>The batch of <paramref name="rows"/> rows; <paramref name="eachRow"/> sees each row's series id and tags.</summary>
    public static WriteBatch Build(int rows, Action<ulong, PeerSeriesTags>? eachRow = null)
    {
        PeerDataset dataset = new(series: 10_000, points: 1);
        WriteBatch batch = new(DataKind.Measure);
        int[] tags =
        [
            batch.AddColumn("default", "service_id", ColumnValueType.String),
            batch.AddColumn("default", "instance_id", ColumnValueType.String),
            batch.AddColumn("default", "endpoint_id", ColumnValueType.String),
        ];
        int value = batch.AddColumn(null, "value", ColumnValueType.Float64);
        for (int r = 0; r < rows; r++)
        {
            int series = (r * 3) % dataset.Series;
            PeerSeriesTags t = dataset.TagsOf(series);
            batch.AppendKeys((ulong)series + 1, [dataset.TimestampMs(0) * 1_000_000], 0);
            batch.Columns[tags[0]].AppendString(t.ServiceId);
            batch.Columns[tags[1]].AppendString(t.InstanceId);
            batch.Columns[tags[2]].AppendString(t.EndpointId);
            batch.Columns[value].AppendDouble(dataset.Value(series, 0));
            eachRow?.Invoke((ulong)series + 1, t);
        }

        return batch;
    }
}
