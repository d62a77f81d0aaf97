using Banyan.Benchmarks.Load;
using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Benchmarks.EngineQueries;

/// <summary>
/// The three peer queries answered by the engine directly, as a shard grain answers its part of the service's
/// queries (<c>ShardGrain.Query</c>, <c>StatisticsGrouper</c>), without grains, gRPC or result encoding:
/// <list type="bullet">
/// <item>Q1: the entity is given in full, so the series id and its shard are computed (the service does the same,
/// <c>EntityPatterns.ExactSeriesIds</c>); one scan of that series, projected to <c>value</c>.</item>
/// <item>Q2: in each shard the series index gives the latency series of service 0 (<c>service_id</c> is the leading
/// entity tag); the per-bucket SUM and COUNT come from <see cref="Shard.SummarizeFieldByInterval"/>: a block wholly
/// inside one bucket gives its header statistics, a block across buckets is decoded once.</item>
/// <item>Q3: in each shard the series index gives every latency series with its entity values; the MAX of each over
/// the hour comes from <see cref="Shard.SummarizeField"/> (block statistics), grouped by <c>endpoint_id</c> across
/// the shards, top ten.</item>
/// </list>
/// Where the block statistics cannot answer (a shard whose parts overlap in time), the rows are read instead, as the
/// grains fall back. Every series the index holds: the shards are flushed before the queries, so there are no
/// buffered writes the index does not know yet (a query would fail rather than answer without them).
/// </summary>
public sealed class PeerEngineQueries(PeerShards shards, PeerDataset dataset)
{
    private static readonly ColumnProjection s_value = ColumnProjection.Of([PeerSchema.Field], []);
    private static readonly string s_latency = PeerDataset.Metrics[(int)PeerMetricKind.Latency];

    private long MinTimestamp => Timestamps.FromUnixMilliseconds(dataset.StartMs);

    private long MaxTimestamp => Timestamps.FromUnixMilliseconds(dataset.StartMs + (dataset.Points * dataset.StepMs)) - 1;

    /// <summary>Blocks answered from header statistics by the last Q2 or Q3.</summary>
    public long BlocksFromStatistics { get; private set; }

    /// <summary>Blocks decoded by the last Q2 or Q3 (or -1 when it read rows instead).</summary>
    public long BlocksDecoded { get; private set; }

    /// <summary>Q1: the raw points of <c>instance_cpu_percent</c> of entity 0 over the hour.</summary>
    public Q1Answer Q1()
    {
        PeerSeriesTags tags = dataset.TagsOf(PeerAnswers.Q1Series);
        TagValue[] entity = PeerShards.EntityOf(tags);
        ulong id = SeriesKey.ComputeSeriesId(tags.Metric, entity);
        Shard shard = shards.Shards[shards.ShardOf(tags.Metric, entity)];
        List<long> times = new(dataset.Points);
        List<double> values = new(dataset.Points);
        using ShardScan scan = shard.Scan(tags.Metric, new SeriesTimeFilter([id], MinTimestamp, MaxTimestamp), s_value);
        Block? block = null;
        ColumnBuffer? column = null;
        while (scan.MoveNext())
        {
            if (!ReferenceEquals(scan.CurrentBlock, block))
            {
                block = scan.CurrentBlock;
                column = block.FindColumn(null, PeerSchema.Field);
            }

            times.Add(Timestamps.ToUnixMilliseconds(scan.Timestamp));
            values.Add(column is null || column.IsNull(scan.CurrentRow) ? double.NaN : column.Float64Values[scan.CurrentRow]);
        }

        return new Q1Answer([.. times], [.. values]);
    }

    /// <summary>Q2: SUM and COUNT of <c>endpoint_resp_time_ms</c> of service 0 per 5-minute bucket.</summary>
    public Q2Answer Q2()
    {
        int buckets = PeerAnswers.Buckets(dataset);
        long width = PeerAnswers.BucketMs * 1_000_000;
        long[] sums = new long[buckets];
        long[] counts = new long[buckets];
        TagValue[] service = [TagValue.FromString(dataset.ServiceId(0))];
        BlocksFromStatistics = 0;
        BlocksDecoded = 0;
        foreach (Shard shard in shards.Shards)
        {
            ulong[] ids = Indexed(shard.FindSeries(s_latency, service, null, MinTimestamp, MaxTimestamp)).Ids();
            List<FieldSummary>? perBucket = shard.SummarizeFieldByInterval(s_latency, ids, MinTimestamp, MaxTimestamp, PeerSchema.Field, width);
            if (perBucket is null)
            {
                BlocksDecoded = -1;
                AddRowsByBucket(shard, ids, width, sums, counts);
                continue;
            }

            for (int b = 0; b < buckets; b++)
            {
                FieldSummary summary = perBucket[b];
                if (summary.Int64SumOverflowed)
                {
                    throw new InvalidOperationException("the latency sum overflowed 64 bits");
                }

                sums[b] += summary.Int64Sum;
                counts[b] += summary.Count;
                BlocksFromStatistics += summary.BlocksFromStatistics;
                BlocksDecoded += summary.BlocksDecoded;
            }
        }

        return new Q2Answer(sums, counts);
    }

    /// <summary>Q3: the ten <c>endpoint_id</c> with the highest MAX of <c>endpoint_resp_time_ms</c> over the hour.</summary>
    public Q3Answer Q3()
    {
        Dictionary<string, long> max = new(StringComparer.Ordinal);
        BlocksFromStatistics = 0;
        BlocksDecoded = 0;
        foreach (Shard shard in shards.Shards)
        {
            SeriesSelection selection = Indexed(shard.FindSeries(s_latency, [], null, MinTimestamp, MaxTimestamp));
            ulong[] ids = selection.Ids();
            Dictionary<ulong, string> endpointOf = new(selection.Indexed.Count);
            foreach (SeriesMatch match in selection.Indexed)
            {
                endpointOf[match.SeriesId] = match.EntityValues[2].Text!;
            }

            List<SeriesFieldSummary>? summaries = shard.SummarizeField(s_latency, ids, MinTimestamp, MaxTimestamp, PeerSchema.Field);
            if (summaries is null)
            {
                BlocksDecoded = -1;
                foreach ((ulong series, long seriesMax) in RowMaxima(shard, ids))
                {
                    Raise(max, endpointOf[series], seriesMax);
                }

                continue;
            }

            foreach (SeriesFieldSummary summary in summaries)
            {
                if (summary.Summary.Count > 0)
                {
                    Raise(max, endpointOf[summary.SeriesId], summary.Summary.Int64Max);
                }

                BlocksFromStatistics += summary.Summary.BlocksFromStatistics;
                BlocksDecoded += summary.Summary.BlocksDecoded;
            }
        }

        return new Q3Answer(PeerAnswers.Top10(max));
    }

    /// <summary>
    /// Q2 as twelve range aggregations, one <see cref="Shard.SummarizeField"/> per bucket and shard (every part of each
    /// summary made), for comparison: every block across buckets is decoded once per bucket.
    /// </summary>
    public Q2Answer Q2PerBucket() => PerBucket((shard, ids, min, max, sum, count) =>
    {
        foreach (SeriesFieldSummary summary in Summaries(shard, ids, min, max, SummaryParts.All))
        {
            sum += summary.Summary.Int64Sum;
            count += summary.Summary.Count;
        }

        return (sum, count);
    });

    /// <summary>
    /// Q2 as the service runs it: per bucket and shard, one <see cref="Shard.SummarizeField"/> for the SUM request (the
    /// sum read, not the extremes) and one for the COUNT request (the count alone), as the silo's 24 requests do.
    /// </summary>
    public Q2Answer Q2PerRequest() => PerBucket((shard, ids, min, max, sum, count) =>
    {
        foreach (SeriesFieldSummary summary in Summaries(shard, ids, min, max, SummaryParts.Sum))
        {
            sum += summary.Summary.Int64Sum;
        }

        foreach (SeriesFieldSummary summary in Summaries(shard, ids, min, max, SummaryParts.Count))
        {
            count += summary.Summary.Count;
        }

        return (sum, count);
    });

    // Per shard the series of service 0, then per bucket [min, max] added to the bucket's sum and count by the caller's
    // summaries: the walk both per-bucket forms of Q2 share.
    private Q2Answer PerBucket(Func<Shard, ulong[], long, long, long, long, (long Sum, long Count)> add)
    {
        int buckets = PeerAnswers.Buckets(dataset);
        long width = PeerAnswers.BucketMs * 1_000_000;
        long[] sums = new long[buckets];
        long[] counts = new long[buckets];
        TagValue[] service = [TagValue.FromString(dataset.ServiceId(0))];
        foreach (Shard shard in shards.Shards)
        {
            ulong[] ids = Indexed(shard.FindSeries(s_latency, service, null, MinTimestamp, MaxTimestamp)).Ids();
            for (int b = 0; b < buckets; b++)
            {
                long min = MinTimestamp + (b * width);
                (sums[b], counts[b]) = add(shard, ids, min, Math.Min(MaxTimestamp, min + width - 1), sums[b], counts[b]);
            }
        }

        return new Q2Answer(sums, counts);
    }

    private static List<SeriesFieldSummary> Summaries(Shard shard, ulong[] ids, long min, long max, SummaryParts parts) =>
        shard.SummarizeField(s_latency, ids, min, max, PeerSchema.Field, null, parts)
        ?? throw new InvalidOperationException("the shard's parts overlap in time: no statistics");

    /// <summary>Q3 from the rows (every latency row of the hour decoded), for comparison with the statistics.</summary>
    public Q3Answer Q3FromRows()
    {
        Dictionary<string, long> max = new(StringComparer.Ordinal);
        foreach (Shard shard in shards.Shards)
        {
            SeriesSelection selection = Indexed(shard.FindSeries(s_latency, [], null, MinTimestamp, MaxTimestamp));
            Dictionary<ulong, string> endpointOf = new(selection.Indexed.Count);
            foreach (SeriesMatch match in selection.Indexed)
            {
                endpointOf[match.SeriesId] = match.EntityValues[2].Text!;
            }

            foreach ((ulong series, long seriesMax) in RowMaxima(shard, selection.Ids()))
            {
                Raise(max, endpointOf[series], seriesMax);
            }
        }

        return new Q3Answer(PeerAnswers.Top10(max));
    }

    private static void Raise(Dictionary<string, long> max, string endpoint, long value)
    {
        if (!max.TryGetValue(endpoint, out long m) || value > m)
        {
            max[endpoint] = value;
        }
    }

    // Series of writes the index does not hold yet would need their entity values decided on their rows; the shards
    // are flushed before the queries, so there are none, and a run that found some would measure something else.
    private static SeriesSelection Indexed(SeriesSelection selection) => selection.Unindexed.Count == 0
        ? selection
        : throw new InvalidOperationException($"{selection.Unindexed.Count} series are not in the series index yet: flush the shards before the queries");

    // The row path (what the grains fall back to): every row of the series, bucketed.
    private void AddRowsByBucket(Shard shard, ulong[] ids, long width, long[] sums, long[] counts)
    {
        using ShardScan scan = shard.Scan(s_latency, new SeriesTimeFilter(ids, MinTimestamp, MaxTimestamp), s_value);
        while (scan.MoveNext())
        {
            ColumnBuffer? column = scan.CurrentBlock.FindColumn(null, PeerSchema.Field);
            if (column is not null && !column.IsNull(scan.CurrentRow))
            {
                int b = (int)((scan.Timestamp - MinTimestamp) / width);
                sums[b] += column.Int64Values[scan.CurrentRow];
                counts[b]++;
            }
        }
    }

    private Dictionary<ulong, long> RowMaxima(Shard shard, ulong[] ids)
    {
        Dictionary<ulong, long> max = [];
        using ShardScan scan = shard.Scan(s_latency, new SeriesTimeFilter(ids, MinTimestamp, MaxTimestamp), s_value);
        while (scan.MoveNext())
        {
            ColumnBuffer? column = scan.CurrentBlock.FindColumn(null, PeerSchema.Field);
            if (column is not null && !column.IsNull(scan.CurrentRow))
            {
                long v = column.Int64Values[scan.CurrentRow];
                max[scan.SeriesId] = max.TryGetValue(scan.SeriesId, out long m) ? Math.Max(m, v) : v;
            }
        }

        return max;
    }
}
