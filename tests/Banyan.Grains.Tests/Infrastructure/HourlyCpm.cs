using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Tests.Queries;
using Banyan.Tests.Shared.Writes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// The measure <c>cpm</c> (entity tag <c>entity_id</c>, field <c>total</c>) in an hourly group with a TTL of 2 hours
/// (<see cref="WriteSchemas"/>), written and read through the measure grain: what the tests of the query path's segment
/// listing and local shard reads need.
/// </summary>
internal static class HourlyCpm
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    /// <summary>Creates the group with <paramref name="shards"/> shards and its measure; the measure's stored metadata.</summary>
    public static async Task<Metadata> CreateAsync(IGrainFactory grains, string group, uint shards = 2)
    {
        await Schemas.CreateAsync(grains, WriteSchemas.HourlyGroup(group, Catalog.Measure, shards: shards, ttlHours: 2), WriteSchemas.Measure(group));
        return await Schemas.MetadataOfAsync(grains, new SchemaKey(SchemaKind.Measure, group, "cpm"));
    }

    /// <summary>Writes one point per (time, entity, total); every one must be acknowledged.</summary>
    public static async Task WriteAsync(IGrainFactory grains, Metadata metadata, params (DateTimeOffset Time, string Entity, long Total)[] points)
    {
        ImmutableArray<MeasureV1.WriteRequest> requests = [.. points.Select((p, i) => WriteSchemas.Point(null, (ulong)(i + 1), p.Time, p.Entity, p.Total))];
        WriteOutcome outcome = await grains.GetGrain<IMeasureGrain>(SubjectKey.Of(metadata.Group, metadata.Name))
            .Write(new MeasureWriteBatch(metadata, null, requests)).WaitAsync(s_bound);
        Assert.All(outcome.Statuses, s => Assert.Equal(WriteStatus.Succeed, s));
        Assert.Equal(0, outcome.Expired);
    }

    /// <summary>The query for every point's total in [<paramref name="begin"/>, <paramref name="end"/>].</summary>
    public static MeasureV1.QueryRequest Totals(string group, DateTimeOffset begin, DateTimeOffset end) => new()
    {
        Groups = { group },
        Name = "cpm",
        TimeRange = QueryData.Range(begin, end),
        FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
    };

    /// <summary>The totals of every point in [<paramref name="begin"/>, <paramref name="end"/>], ascending, through the measure grain's query.</summary>
    public static async Task<List<long>> TotalsAsync(IGrainFactory grains, string group, DateTimeOffset begin, DateTimeOffset end)
    {
        MeasureV1.QueryResponse response = (await grains.GetGrain<IMeasureGrain>(SubjectKey.Of(group, "cpm")).Query(Totals(group, begin, end)).WaitAsync(s_bound)).Value;
        return TotalsOf(response);
    }

    /// <summary>The totals of an answer to <see cref="Totals"/>, ascending.</summary>
    public static List<long> TotalsOf(MeasureV1.QueryResponse response) => [.. response.DataPoints.Select(p => p.Fields.Single().Value.Int.Value).Order()];

    /// <summary>The start of the hour holding <paramref name="now"/>.</summary>
    public static DateTimeOffset Hour(DateTimeOffset now) => new(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
}
