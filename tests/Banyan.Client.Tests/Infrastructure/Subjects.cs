using Banyan.Api.Common.V1;
using Banyan.Api.Model.V1;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Client.Tests.Infrastructure;

/// <summary>
/// The measure <c>cpm</c> and the stream <c>log</c> of <see cref="WriteSchemas"/> in a group of their own, points and
/// elements for them, and queries that read everything back through the client.
/// </summary>
public static class Subjects
{
    /// <summary>
    /// A time inside the groups' TTL, in whole milliseconds: one minute past the hour two hours ago, so the few seconds of
    /// points after it never straddle a day (a segment) boundary.
    /// </summary>
    public static DateTimeOffset Recent { get; } = OneMinutePastTheHour(DateTimeOffset.UtcNow.AddHours(-2));

    /// <summary>Creates a measure group of <paramref name="shards"/> shards with measure <c>cpm</c>.</summary>
    public static async Task CreateMeasureAsync(BanyanClient client, string group, uint shards = 4)
    {
        await client.Schemas.Groups.CreateAsync(WriteSchemas.Group(group, Catalog.Measure, shards));
        await client.Schemas.Measures.CreateAsync(WriteSchemas.Measure(group));
    }

    /// <summary>Creates a stream group of <paramref name="shards"/> shards with stream <c>log</c>.</summary>
    public static async Task CreateStreamAsync(BanyanClient client, string group, uint shards = 4)
    {
        await client.Schemas.Groups.CreateAsync(WriteSchemas.Group(group, Catalog.Stream, shards));
        await client.Schemas.Streams.CreateAsync(WriteSchemas.Stream(group));
    }

    /// <summary>A valid point of entity <c>entity-(i mod 50)</c> with total <paramref name="i"/>, at <see cref="Recent"/> + i ms.</summary>
    public static MeasureV1.DataPointValue Point(int i) => WriteSchemas.Point(null, 0, Recent.AddMilliseconds(i), "entity-" + (i % 50), i).DataPoint;

    /// <summary>A valid element <c>e-i</c> of service <c>svc-(i mod 20)</c> and level i at <see cref="Recent"/> + i ms; without an element id when <paramref name="withId"/> is false.</summary>
    public static StreamV1.ElementValue Element(int i, bool withId = true)
    {
        StreamV1.ElementValue element = WriteSchemas.Element(null, 0, Recent.AddMilliseconds(i), "svc-" + (i % 20), "e-" + i, level: i).Element;
        if (!withId)
        {
            element.ElementId = string.Empty;
        }

        return element;
    }

    /// <summary>The totals of every point of <c>cpm</c> in <paramref name="group"/>, ascending.</summary>
    public static async Task<List<long>> TotalsAsync(BanyanClient client, string group)
    {
        MeasureV1.QueryResponse response = await client.QueryAsync(new MeasureV1.QueryRequest
        {
            Groups = { group },
            Name = "cpm",
            TimeRange = WholeDay(),
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "entity_id" } } } },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
            Limit = 1_000_000,
        });
        return [.. response.DataPoints.Select(p => p.Fields[0].Value.Int.Value).Order()];
    }

    /// <summary>The levels of every element of <c>log</c> in <paramref name="group"/>, ascending (queries answer hashed element ids, so the level tells elements apart).</summary>
    public static async Task<List<long>> LevelsAsync(BanyanClient client, string group)
    {
        StreamV1.QueryResponse response = await client.QueryAsync(new StreamV1.QueryRequest
        {
            Groups = { group },
            Name = "log",
            TimeRange = WholeDay(),
            Projection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "searchable", Tags = { "level" } } } },
            Limit = 1_000_000,
        });
        return [.. response.Elements.Select(e => e.TagFamilies[0].Tags[0].Value.Int.Value).Order()];
    }

    private static DateTimeOffset OneMinutePastTheHour(DateTimeOffset time) => new(time.Year, time.Month, time.Day, time.Hour, 1, 0, TimeSpan.Zero);

    private static TimeRange WholeDay() => new()
    {
        Begin = Timestamp.FromDateTimeOffset(Recent.AddHours(-12)),
        End = Timestamp.FromDateTimeOffset(Recent.AddHours(12)),
    };
}
