using Banyan.Grains.Writes;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Grains.Tests.Writes;

/// <summary>The write planner's cache of series ids and routing hashes answers what computing them answers.</summary>
public sealed class SeriesIdCacheTests
{
    [Fact]
    public void Cached_ids_and_routing_equal_the_computed_ones_and_each_entity_is_computed_once()
    {
        // Row layout: [service string, endpoint binary, code int, region string (sharding key), value].
        var cache = new SeriesIdCache("latency", [0, 1, 2], [3]);
        var random = new Random(3);
        HashSet<(string, string, long, string)> distinct = [];
        for (int i = 0; i < 5_000; i++)
        {
            string service = "svc-" + random.Next(20);
            byte[] endpoint = [(byte)random.Next(4), (byte)'|'];
            long code = random.Next(3) * 100;
            string region = random.Next(2) == 0 ? "eu" : "us";
            ColumnValue[] row = [ColumnValue.FromString(service), ColumnValue.FromBinary(endpoint), ColumnValue.FromInt64(code), ColumnValue.FromString(region), ColumnValue.FromFloat64(i)];
            distinct.Add((service, Convert.ToHexString(endpoint), code, region));

            (ulong seriesId, ulong routing) = cache.Resolve(row);
            TagValue[] entity = [TagValue.FromString(service), TagValue.FromBinary(endpoint), TagValue.FromInt64(code)];
            Assert.Equal(SeriesKey.ComputeSeriesId("latency", entity), seriesId);
            Assert.Equal(ShardRouting.ComputeRoutingHash("latency", [TagValue.FromString(region)]), routing);
        }

        Assert.Equal(distinct.Count, cache.Misses);
    }

    [Fact]
    public void Values_equal_but_of_another_type_are_another_series()
    {
        var cache = new SeriesIdCache("m", [0], null);
        (ulong asInt, _) = cache.Resolve([ColumnValue.FromInt64(5)]);
        (ulong asTimestamp, _) = cache.Resolve([ColumnValue.FromTimestamp(5)]);
        Assert.NotEqual(asInt, asTimestamp);
        Assert.Equal(SeriesKey.ComputeSeriesId("m", [TagValue.FromTimestampNanos(5)]), asTimestamp);
        Assert.Equal(asInt, cache.Resolve([ColumnValue.FromInt64(5)]).SeriesId);
    }
}
