using System.Collections.Immutable;
using Banyan.GrainInterfaces.Queries;
using Banyan.Grains.Queries;
using Banyan.Grains.Shards;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Grains.Tests.Shards;

/// <summary>
/// A shard's grouping of a measure query (<see cref="ShardGrouper"/>) against a model: one row per group, the group's
/// first row in the query's order, and the partial aggregate of every value of the group.
/// </summary>
public sealed class ShardGrouperTests
{
    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, true, false)]
    [InlineData(3, false, true)]
    [InlineData(4, true, true)]
    public void Groups_keep_their_first_row_in_query_order_and_the_aggregate_of_all_their_rows(int seed, bool descending, bool perSeries)
    {
        Random random = new(seed);

        // Rows in the shard's order: by series, then time. A series' service never changes (an entity tag), so
        // grouping by it per series is allowed.
        List<(ulong Series, long Timestamp, string Service, long? Value)> model = [];
        foreach (ulong series in Enumerable.Range(1, 30).Select(i => (ulong)random.NextInt64(1, long.MaxValue)).Distinct().Order())
        {
            string name = "svc-" + random.Next(5);
            foreach (long timestamp in Enumerable.Range(0, random.Next(1, 12)).Select(_ => (long)random.Next(0, 50)).Distinct().Order())
            {
                model.Add((series, timestamp, name, random.Next(8) == 0 ? null : random.Next(-100, 100)));
            }
        }

        WriteBatch rows = new(DataKind.Measure);
        rows.AddColumn("default", "service", ColumnValueType.String);
        rows.AddColumn(null, "value", ColumnValueType.Int64);
        foreach ((ulong series, long timestamp, string service, long? value) in model)
        {
            rows.AddRow(series, timestamp, 1, [ColumnValue.FromString(service), value is { } v ? ColumnValue.FromInt64(v) : ColumnValue.Null]);
        }

        ShardGrouping grouping = new([new ShardColumn("default", "service")], "value", descending);
        (WriteBatch groups, ImmutableArray<PartialAggregate> partials) = ShardGrouper.Group(rows, grouping, perSeries);

        var expected = model.GroupBy(r => r.Service).ToDictionary(
            g => g.Key,
            g => (First: descending ? g.OrderByDescending(r => r.Timestamp).ThenByDescending(r => r.Series).First() : g.OrderBy(r => r.Timestamp).ThenBy(r => r.Series).First(),
                Count: g.Count(r => r.Value is not null),
                Sum: g.Sum(r => r.Value ?? 0),
                Max: g.Max(r => r.Value ?? long.MinValue)));
        Assert.Equal(expected.Count, groups.Count);
        int serviceColumn = groups.FindColumn("default", "service");
        for (int i = 0; i < groups.Count; i++)
        {
            string key = groups.Columns[serviceColumn].GetString(i)!;
            var want = expected[key];
            Assert.Equal((want.First.Series, want.First.Timestamp), (groups.SeriesIds[i], groups.Timestamps[i]));
            Assert.Equal(want.Count, partials[i].Count);
            Assert.Equal(want.Sum, partials[i].IntSum);
            if (want.Count > 0)
            {
                Assert.Equal(want.Max, partials[i].IntMax);
            }
        }
    }
}
