using Banyan.Benchmarks.Load;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Benchmarks.EngineQueries;

/// <summary>
/// The peer dataset held in engine shards as the service holds it: one shard folder per shard of the group (the
/// service's default is 2), the three measures configured in every shard as subjects with their entity tags
/// (<c>service_id</c>, <c>instance_id</c>, <c>endpoint_id</c>), so each shard keeps a series index; every row with
/// its entity tags in family <c>default</c> and its <c>value</c> field (INT for the counter and the latency, FLOAT for
/// the gauge, as <see cref="PeerSchema"/>); series ids and shards computed as the write grains compute them
/// (<see cref="SeriesKey.ComputeSeriesId"/>, <see cref="ShardRouting.ComputeShard"/>); WAL on.
/// </summary>
public sealed class PeerShards : IDisposable
{
    private readonly Shard[] _shards;

    private PeerShards(Shard[] shards, string directory)
    {
        _shards = shards;
        Directory = directory;
    }

    /// <summary>The shards, indexed by shard number.</summary>
    public IReadOnlyList<Shard> Shards => _shards;

    /// <summary>The folder holding one <c>shard-N</c> folder per shard.</summary>
    public string Directory { get; }

    /// <summary>The entity tags of every measure, in entity order (the series index's leading values).</summary>
    public static IReadOnlyList<string> EntityTags => PeerSchema.Tags;

    /// <summary>The shard that holds <paramref name="subject"/>'s series with these entity values.</summary>
    public int ShardOf(string subject, IReadOnlyList<TagValue> entity) => (int)ShardRouting.ComputeShard(subject, entity, (uint)_shards.Length);

    /// <summary>The engine values of a series' entity tags, in entity order.</summary>
    public static TagValue[] EntityOf(PeerSeriesTags tags) =>
        [TagValue.FromString(tags.ServiceId), TagValue.FromString(tags.InstanceId), TagValue.FromString(tags.EndpointId)];

    /// <summary>
    /// Opens <paramref name="shards"/> fresh shards under <paramref name="directory"/>, writes every point of
    /// <paramref name="dataset"/> (time-major, in batches of one subject and one shard of about
    /// <paramref name="batchRows"/> rows, as the write grains send them), then flushes and merges each shard into its
    /// settled parts. <paramref name="valueOf"/> replaces a point's value (series, point) for tests of the answer check;
    /// null writes the dataset's. <paramref name="blockCache"/>, when given, is shared by the shards as a silo shares
    /// its own among its shards (<c>Silo:Shard:BlockCacheMegabytes</c>): aggregations then read the blocks that straddle
    /// their bounds decoded once, as the service does.
    /// </summary>
    public static PeerShards Load(string directory, PeerDataset dataset, int shards, int batchRows = 10_000, Func<int, int, double>? valueOf = null, DecodedBlockCache? blockCache = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        valueOf ??= dataset.Value;
        Shard[] opened = new Shard[shards];
        PeerShards result = new(opened, directory);
        try
        {
            for (int s = 0; s < shards; s++)
            {
                opened[s] = Shard.Open(Path.Combine(directory, $"shard-{s}"), new ShardOptions { Kind = DataKind.Measure, WalEnabled = true, BlockCache = blockCache });
                foreach (string metric in PeerDataset.Metrics)
                {
                    opened[s].ConfigureSubject(new ShardIndexConfig(DataKind.Measure, metric, [.. EntityTags], []));
                }
            }

            // Per (metric kind, shard): the dataset's series in series order, with their ids and tags.
            var members = new List<(int Series, ulong Id, PeerSeriesTags Tags)>[3, shards];
            for (int k = 0; k < 3; k++)
            {
                for (int s = 0; s < shards; s++)
                {
                    members[k, s] = [];
                }
            }

            for (int j = 0; j < dataset.Series; j++)
            {
                PeerSeriesTags tags = dataset.TagsOf(j);
                TagValue[] entity = EntityOf(tags);
                members[j % 3, result.ShardOf(tags.Metric, entity)].Add((j, SeriesKey.ComputeSeriesId(tags.Metric, entity), tags));
            }

            for (int k = 0; k < 3; k++)
            {
                for (int s = 0; s < shards; s++)
                {
                    WriteSubject(opened[s], PeerDataset.Metrics[k], (PeerMetricKind)k, members[k, s], dataset, batchRows, valueOf);
                }
            }

            foreach (Shard shard in opened)
            {
                shard.Flush();
                shard.Merge(force: true);
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    // Time-major batches of one subject: every series' point i, then point i + 1, cut at about batchRows rows.
    private static void WriteSubject(Shard shard, string metric, PeerMetricKind kind, List<(int Series, ulong Id, PeerSeriesTags Tags)> series, PeerDataset dataset, int batchRows, Func<int, int, double> valueOf)
    {
        if (series.Count == 0)
        {
            return;
        }

        int pointsPerBatch = Math.Max(1, batchRows / series.Count);
        for (int from = 0; from < dataset.Points; from += pointsPerBatch)
        {
            int to = Math.Min(dataset.Points, from + pointsPerBatch);
            WriteBatch batch = new(DataKind.Measure, metric);
            int service = batch.AddColumn(PeerSchema.TagFamily, "service_id", ColumnValueType.String);
            int instance = batch.AddColumn(PeerSchema.TagFamily, "instance_id", ColumnValueType.String);
            int endpoint = batch.AddColumn(PeerSchema.TagFamily, "endpoint_id", ColumnValueType.String);
            int value = batch.AddColumn(null, PeerSchema.Field, kind == PeerMetricKind.Gauge ? ColumnValueType.Float64 : ColumnValueType.Int64);
            for (int i = from; i < to; i++)
            {
                long timestamp = Timestamps.FromUnixMilliseconds(dataset.TimestampMs(i));
                foreach ((int j, ulong id, PeerSeriesTags tags) in series)
                {
                    batch.AppendKeys([id], [timestamp], [1]);
                    batch.Columns[service].AppendString(tags.ServiceId);
                    batch.Columns[instance].AppendString(tags.InstanceId);
                    batch.Columns[endpoint].AppendString(tags.EndpointId);
                    if (kind == PeerMetricKind.Gauge)
                    {
                        batch.Columns[value].AppendDouble(valueOf(j, i));
                    }
                    else
                    {
                        batch.Columns[value].AppendInt64((long)valueOf(j, i));
                    }
                }
            }

            shard.Write(batch);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (Shard? shard in _shards)
        {
            shard?.Dispose();
        }
    }
}
