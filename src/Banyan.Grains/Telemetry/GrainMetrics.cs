using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Banyan.Storage.Parts;
using Banyan.Storage.Shards;

namespace Banyan.Grains.Telemetry;

/// <summary>
/// Instruments of the grain layer, on the meter <see cref="MeterName"/>: queries (count and latency by kind and
/// outcome), and gauges read when scraped from the shards and groups active on this silo (memory-part bytes and parts
/// per group, segments per group). The silo exports this meter with the engine's and the write path's at
/// <c>/metrics</c>.
/// </summary>
public static class GrainMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Banyan.Grains";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_queries = s_meter.CreateCounter<long>("banyan.query.requests", "{query}", "Stream and measure queries, by kind and outcome.");
    private static readonly Histogram<double> s_queryDuration = s_meter.CreateHistogram<double>("banyan.query.duration", "s", "Duration of stream and measure queries, by kind.");
    private static readonly Counter<long> s_shardReads = s_meter.CreateCounter<long>("banyan.query.shard_reads", "{read}", "Shard reads of the stream and measure queries planned on this silo, by path (local: a shard open on this silo read without a grain call; grain: through the shard grain).");
    private static readonly ConcurrentDictionary<object, (string Group, Shard Shard)> s_shards = new();
    private static readonly ConcurrentDictionary<string, Func<int>> s_segments = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<DecodedBlockCache, byte> s_blockCaches = new();
    private static readonly ConcurrentDictionary<MemoryBudget, byte> s_memoryBudgets = new();

    static GrainMetrics()
    {
        s_meter.CreateObservableGauge("banyan.shard.memory", ObserveMemory, "By", "Bytes held by memory parts and buffered writes of the shards active on this silo, by group.");
        s_meter.CreateObservableGauge("banyan.shard.parts", ObserveParts, "{part}", "Parts of the shards active on this silo, by group and kind (memory or disk).");
        s_meter.CreateObservableGauge("banyan.group.segments", ObserveSegments, "{segment}", "Live segments per group, as the group grains active on this silo know them.");
        s_meter.CreateObservableGauge("banyan.shard.active", () => s_shards.Count, "{shard}", "Shard grains with an open engine shard on this silo.");
        s_meter.CreateObservableGauge("banyan.block_cache.size", () => s_blockCaches.Keys.Sum(c => c.Bytes), "By", "Bytes of decoded blocks held by the block cache of this silo.");
        s_meter.CreateObservableGauge("banyan.shard.memory_budget.held", () => s_memoryBudgets.Keys.Sum(b => b.HeldBytes), "By", "Bytes all the shards of this silo hold together in buffered writes and memory parts, as the silo's memory budget counts them.");
        s_meter.CreateObservableGauge("banyan.shard.memory_budget.limit", () => s_memoryBudgets.Keys.Sum(b => b.MaxBytes), "By", "The silo's memory budget: what its shards may hold together before writes wait for a flush (Silo:Shard:MemoryBudgetMegabytes).");
        s_meter.CreateObservableCounter("banyan.block_cache.lookups", ObserveBlockCacheLookups, "{lookup}", "Block cache lookups, by outcome (hit: no decoding; miss: the block was decoded).");
    }

    /// <summary>Runs a query of <paramref name="kind"/> ("stream" or "measure") and records its outcome and duration.</summary>
    public static async Task<T> TimeQueryAsync<T>(string kind, Func<Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        bool succeeded = false;
        try
        {
            T result = await run();
            succeeded = true;
            return result;
        }
        finally
        {
            RecordQuery(kind, System.Diagnostics.Stopwatch.GetElapsedTime(started), succeeded);
        }
    }

    /// <summary>Records one finished query of <paramref name="kind"/> ("stream" or "measure").</summary>
    public static void RecordQuery(string kind, TimeSpan elapsed, bool succeeded)
    {
        s_queries.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", succeeded ? "ok" : "error"));
        s_queryDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("kind", kind));
    }

    /// <summary>Counts one shard read of a query planned here: <paramref name="local"/> when read without a grain call.</summary>
    public static void RecordShardRead(bool local) => s_shardReads.Add(1, new KeyValuePair<string, object?>("path", local ? "local" : "grain"));

    /// <summary>Lists an open shard (until <see cref="RemoveShard"/>); <paramref name="owner"/> is the hosting grain.</summary>
    public static void AddShard(object owner, string group, Shard shard) => s_shards[owner] = (group, shard);

    /// <summary>Forgets the shard of <paramref name="owner"/>.</summary>
    public static void RemoveShard(object owner) => s_shards.TryRemove(owner, out _);

    /// <summary>Reports <paramref name="group"/>'s live segment count through <paramref name="count"/> (until <see cref="RemoveGroup"/>).</summary>
    public static void SetGroup(string group, Func<int> count) => s_segments[group] = count;

    /// <summary>Stops reporting <paramref name="group"/>.</summary>
    public static void RemoveGroup(string group) => s_segments.TryRemove(group, out _);

    /// <summary>Reports <paramref name="cache"/>'s size and lookups (until <see cref="RemoveBlockCache"/>).</summary>
    public static void AddBlockCache(DecodedBlockCache cache) => s_blockCaches[cache] = 0;

    /// <summary>Stops reporting <paramref name="cache"/>.</summary>
    public static void RemoveBlockCache(DecodedBlockCache cache) => s_blockCaches.TryRemove(cache, out _);

    /// <summary>Reports <paramref name="budget"/>'s held bytes and bound (until <see cref="RemoveMemoryBudget"/>).</summary>
    public static void AddMemoryBudget(MemoryBudget budget) => s_memoryBudgets[budget] = 0;

    /// <summary>Stops reporting <paramref name="budget"/>.</summary>
    public static void RemoveMemoryBudget(MemoryBudget budget) => s_memoryBudgets.TryRemove(budget, out _);

    private static Measurement<long>[] ObserveBlockCacheLookups() =>
    [
        new(s_blockCaches.Keys.Sum(c => c.Hits), new KeyValuePair<string, object?>("outcome", "hit")),
        new(s_blockCaches.Keys.Sum(c => c.Misses), new KeyValuePair<string, object?>("outcome", "miss")),
    ];

    private static List<Measurement<long>> ObserveMemory()
    {
        List<Measurement<long>> measurements = [];
        foreach (IGrouping<string, (string Group, Shard Shard)> group in s_shards.Values.GroupBy(s => s.Group))
        {
            long bytes = 0;
            foreach ((_, Shard shard) in group)
            {
                bytes += Read(shard, static s => s.MemoryBytes);
            }

            measurements.Add(new Measurement<long>(bytes, new KeyValuePair<string, object?>("group", group.Key)));
        }

        return measurements;
    }

    private static List<Measurement<long>> ObserveParts()
    {
        List<Measurement<long>> measurements = [];
        foreach (IGrouping<string, (string Group, Shard Shard)> group in s_shards.Values.GroupBy(s => s.Group))
        {
            long disk = 0;
            long memory = 0;
            foreach ((_, Shard shard) in group)
            {
                disk += Read(shard, static s => s.DiskPartIds.Count);
                memory += Read(shard, static s => s.MemoryPartCount);
            }

            measurements.Add(new Measurement<long>(disk, new KeyValuePair<string, object?>("group", group.Key), new KeyValuePair<string, object?>("kind", "disk")));
            measurements.Add(new Measurement<long>(memory, new KeyValuePair<string, object?>("group", group.Key), new KeyValuePair<string, object?>("kind", "memory")));
        }

        return measurements;
    }

    // A shard closing while it is read counts as empty: one failing source must not empty the whole scrape.
    private static long Read(Shard shard, Func<Shard, long> read)
    {
        try
        {
            return read(shard);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static List<Measurement<int>> ObserveSegments()
    {
        // One failing source must not empty the whole scrape (the exporter drops a meter's collection on an exception).
        List<Measurement<int>> measurements = [];
        foreach (KeyValuePair<string, Func<int>> group in s_segments)
        {
            try
            {
                measurements.Add(new Measurement<int>(group.Value(), new KeyValuePair<string, object?>("group", group.Key)));
            }
            catch (InvalidOperationException)
            {
                // A group deactivating while it is read: left out of this scrape.
            }
        }

        return measurements;
    }
}
