using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static Banyan.Grains.Tests.Queries.QuerySchemas;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Grains.Tests.Queries;

/// <summary>One element of stream <c>q_log</c> as the tests write it and model it (timestamp in whole milliseconds).</summary>
/// <param name="Id">The element id.</param>
/// <param name="Time">The timestamp.</param>
/// <param name="Service">Entity tag.</param>
/// <param name="Instance">Entity tag.</param>
/// <param name="Endpoint">Text with an inverted rule (simple analyzer).</param>
/// <param name="Region">A plain string tag (skipping rule).</param>
/// <param name="Duration">An int tag with an inverted rule (ORDER BY).</param>
/// <param name="Labels">A string array tag.</param>
/// <param name="Codes">An int array tag; null: written as NULL.</param>
public sealed record LogElement(string Id, DateTimeOffset Time, string Service, string Instance, string Endpoint, string Region, long Duration, string[] Labels, long[]? Codes)
{
    /// <summary>The element as BanyanDB's write request (families searchable, data; body "body of {id}").</summary>
    public StreamV1.WriteRequest ToRequest(ulong messageId) => new()
    {
        MessageId = messageId,
        Element = new StreamV1.ElementValue
        {
            ElementId = Id,
            Timestamp = Timestamp.FromDateTimeOffset(Time),
            TagFamilies =
            {
                new TagFamilyForWrite { Tags = { Str(Service), Str(Instance), Str(Endpoint), Str(Region), Number(Duration), Strs(Labels), Codes is null ? Null() : Ints(Codes) } },
                new TagFamilyForWrite { Tags = { new TagValue { BinaryData = ByteString.CopyFromUtf8("body of " + Id) } } },
            },
        },
    };
}

/// <summary>One data point of measure <c>q_cpm</c> as the tests write it and model it.</summary>
/// <param name="Time">The timestamp.</param>
/// <param name="Service">Entity tag.</param>
/// <param name="Instance">Entity tag.</param>
/// <param name="Region">A string tag.</param>
/// <param name="Code">An int tag.</param>
/// <param name="Labels">A string array tag; null: written as NULL.</param>
/// <param name="Total">The int field.</param>
/// <param name="Value">The float field.</param>
/// <param name="Version">The version (0: the write path's default, the message id).</param>
public sealed record CpmPoint(DateTimeOffset Time, string Service, string Instance, string Region, long Code, string[]? Labels, long Total, double Value, long Version = 0)
{
    /// <summary>The point as BanyanDB's write request.</summary>
    public MeasureV1.WriteRequest ToRequest(ulong messageId) => new()
    {
        MessageId = messageId,
        DataPoint = new MeasureV1.DataPointValue
        {
            Timestamp = Timestamp.FromDateTimeOffset(Time),
            Version = Version,
            TagFamilies = { new TagFamilyForWrite { Tags = { Str(Service), Str(Instance), Str(Region), Number(Code), Labels is null ? Null() : Strs(Labels) } } },
            Fields = { new FieldValue { Int = new Int { Value = Total } }, new FieldValue { Float = new Float { Value = Value } } },
        },
    };
}

/// <summary>Writes the query tests' data through the stream and measure grains (every element must succeed).</summary>
public static class QueryData
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    /// <summary>Now in whole seconds, minus <paramref name="back"/>: a base time well inside the TTL.</summary>
    public static DateTimeOffset BaseTime(TimeSpan back) => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Subtract(back);

    /// <summary>Writes <paramref name="elements"/> to stream <c>q_log</c> of <paramref name="group"/>.</summary>
    public static async Task WriteAsync(IGrainFactory grains, string group, IEnumerable<LogElement> elements)
    {
        Metadata metadata = await Schemas.MetadataOfAsync(grains, new SchemaKey(SchemaKind.Stream, group, StreamName));
        ImmutableArray<StreamV1.WriteRequest> requests = [.. elements.Select((e, i) => e.ToRequest((ulong)i + 1))];
        WriteOutcome outcome = await grains.GetGrain<IStreamGrain>(SubjectKey.Of(group, StreamName)).Write(new StreamWriteBatch(metadata, [], requests)).WaitAsync(s_bound);
        Assert.Empty(outcome.Refusals);
        Assert.All(outcome.Statuses, s => Assert.Equal(WriteStatus.Succeed, s));
    }

    /// <summary>Writes <paramref name="points"/> to measure <c>q_cpm</c> of <paramref name="group"/>.</summary>
    public static async Task WriteAsync(IGrainFactory grains, string group, IEnumerable<CpmPoint> points)
    {
        Metadata metadata = await Schemas.MetadataOfAsync(grains, new SchemaKey(SchemaKind.Measure, group, MeasureName));
        ImmutableArray<MeasureV1.WriteRequest> requests = [.. points.Select((p, i) => p.ToRequest((ulong)i + 1))];
        WriteOutcome outcome = await grains.GetGrain<IMeasureGrain>(SubjectKey.Of(group, MeasureName)).Write(new MeasureWriteBatch(metadata, null, requests)).WaitAsync(s_bound);
        Assert.Empty(outcome.Refusals);
        Assert.All(outcome.Statuses, s => Assert.Equal(WriteStatus.Succeed, s));
    }

    /// <summary>Runs a stream query through the stream grain of the request's first group (bounded).</summary>
    public static async Task<StreamV1.QueryResponse> QueryAsync(IGrainFactory grains, StreamV1.QueryRequest request)
        => (await grains.GetGrain<IStreamGrain>(SubjectKey.Of(request.Groups[0], request.Name)).Query(request).WaitAsync(s_bound)).Value;

    /// <summary>Runs a measure query through the measure grain of the request's first group (bounded).</summary>
    public static async Task<MeasureV1.QueryResponse> QueryAsync(IGrainFactory grains, MeasureV1.QueryRequest request)
        => (await grains.GetGrain<IMeasureGrain>(SubjectKey.Of(request.Groups[0], request.Name)).Query(request).WaitAsync(s_bound)).Value;

    /// <summary>A time range, both ends inclusive.</summary>
    public static TimeRange Range(DateTimeOffset begin, DateTimeOffset end) => new() { Begin = Timestamp.FromDateTimeOffset(begin), End = Timestamp.FromDateTimeOffset(end) };

    /// <summary>A projection of <paramref name="family"/>'s <paramref name="tags"/>.</summary>
    public static TagProjection Project(string family, params string[] tags) => new() { TagFamilies = { new TagProjection.Types.TagFamily { Name = family, Tags = { tags } } } };
}
