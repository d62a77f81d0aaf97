using Banyan.Api.Model.V1;
using Banyan.Grains.Queries;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;
using Google.Protobuf;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Queries;

/// <summary>A page of raw points written from its rows gives the bytes protobuf gives the same points as objects.</summary>
public sealed class MeasurePointRowsTests
{
    private static readonly (string Family, string Name, ColumnValueType Type)[] s_columns =
    [
        ("default", "svc", ColumnValueType.String),
        ("default", "code", ColumnValueType.Int64),
        ("default", "names", ColumnValueType.StringArray),
        ("default", "ids", ColumnValueType.Int64Array),
        ("default", "raw", ColumnValueType.Binary),
        ("default", "at", ColumnValueType.Timestamp),
        ("default", "ratio", ColumnValueType.Float64),
        ("searchable", "ü-tag", ColumnValueType.String),
        (null!, "total", ColumnValueType.Int64),
        (null!, "value", ColumnValueType.Float64),
        (null!, "label", ColumnValueType.String),
        (null!, "blob", ColumnValueType.Binary),
        (null!, "when", ColumnValueType.Timestamp),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_points_written_from_rows_are_the_bytes_of_the_points_as_objects(int seed)
    {
        // Every column type as a tag and as a field (the types a message cannot hold there go as null), nulls, values at
        // their defaults (0, "", empty arrays: left out or kept as protobuf does), timestamps before 1970 and with
        // nanoseconds, series ids and versions of 0, a projected tag and field no row has, two batches (two shards' rows,
        // each with its own column order), and a tag read from another row (a tag kept per series, read from the series'
        // latest point).
        Random random = new(seed);
        WriteBatch first = RandomBatch(random, s_columns);
        WriteBatch second = RandomBatch(random, [.. s_columns.Reverse()]);
        WriteBatch latest = RandomBatch(random, s_columns);
        List<ResultRow> rows = [.. Enumerable.Range(0, first.Count).Select(i => new ResultRow("g", first, i)), .. Enumerable.Range(0, second.Count).Select(i => new ResultRow("g", second, i))];
        TagProjection projection = new()
        {
            TagFamilies =
            {
                new TagProjection.Types.TagFamily { Name = "default", Tags = { "svc", "code", "names", "ids", "raw", "at", "ratio", "absent" } },
                new TagProjection.Types.TagFamily { Name = "searchable", Tags = { "ü-tag" } },
            },
        };
        List<string> fields = ["total", "value", "label", "blob", "when", "missing"];
        ResultRow SourceOf(ResultRow row, string tag) => tag == "ü-tag" ? new ResultRow("g", latest, row.Index % latest.Count) : row;
        MeasurePointRows points = new(rows, SourceOf, projection, fields, row => Reference(row, SourceOf, projection, fields));

        MeasureV1.QueryResponse objects = new() { DataPoints = { points.ToDataPoints() } };
        Assert.Equal(rows.Count, objects.DataPoints.Count);
        Assert.Equal(Convert.ToHexString(objects.ToByteArray()), Convert.ToHexString(points.EncodeDataPoints()));

        // Without tags and with one field, as a query of raw points of one series asks.
        MeasurePointRows plain = new(rows, SourceOf, null, ["value"], row => Reference(row, SourceOf, null, ["value"]));
        Assert.Equal(new MeasureV1.QueryResponse { DataPoints = { plain.ToDataPoints() } }.ToByteArray(), plain.EncodeDataPoints());
    }

    [Fact]
    public void Points_attached_to_an_answer_are_taken_back_once()
    {
        MeasurePointRows points = new([], (row, _) => row, null, [], row => new MeasureV1.DataPoint());
        MeasureV1.QueryResponse answer = new();
        Assert.False(MeasurePointRows.TryTakeFrom(answer, out _));
        points.AttachTo(answer);
        Assert.True(MeasurePointRows.TryTakeFrom(answer, out MeasurePointRows? taken));
        Assert.Same(points, taken);
        Assert.False(MeasurePointRows.TryTakeFrom(answer, out _));
        Assert.Empty(points.EncodeDataPoints());
    }

    // The point as MeasureQueryExecutor.ToPoint builds it, from ResultValues.
    private static MeasureV1.DataPoint Reference(ResultRow row, Func<ResultRow, string, ResultRow> sourceOf, TagProjection? projection, List<string> fields)
    {
        MeasureV1.DataPoint point = new() { Timestamp = ResultValues.ToTimestamp(row.Timestamp), Sid = row.SeriesId, Version = row.Version };
        foreach (TagProjection.Types.TagFamily family in projection?.TagFamilies ?? [])
        {
            TagFamily result = new() { Name = family.Name };
            foreach (string tag in family.Tags)
            {
                result.Tags.Add(new Tag { Key = tag, Value = ResultValues.ToTag(sourceOf(row, tag).Get(family.Name, tag)) });
            }

            point.TagFamilies.Add(result);
        }

        foreach (string field in fields)
        {
            point.Fields.Add(new MeasureV1.DataPoint.Types.Field { Name = field, Value = ResultValues.ToField(row.Get(null, field)) });
        }

        return point;
    }

    private static WriteBatch RandomBatch(Random random, (string Family, string Name, ColumnValueType Type)[] columns)
    {
        WriteBatch batch = new(DataKind.Measure, "m");
        foreach ((string family, string name, ColumnValueType type) in columns)
        {
            batch.AddColumn(family, name, type);
        }

        for (int r = 0; r < 40; r++)
        {
            ColumnValue[] values = [.. columns.Select(c => RandomValue(random, c.Type))];
            ulong series = random.Next(5) == 0 ? 0 : (ulong)random.NextInt64();
            long timestamp = random.Next(4) switch
            {
                0 => -random.NextInt64(1, 4_000_000_000_000_000_000),
                1 => 0,
                2 => random.NextInt64(0, 4_000_000_000) * 1_000_000_000,
                _ => random.NextInt64(0, 4_000_000_000_000_000_000),
            };
            long version = random.Next(4) == 0 ? 0 : random.Next(3) == 0 ? -random.NextInt64(1, long.MaxValue) : random.NextInt64();
            batch.AddRow(series, timestamp, version, values);
        }

        return batch;
    }

    private static ColumnValue RandomValue(Random random, ColumnValueType type)
    {
        if (random.Next(6) == 0)
        {
            return ColumnValue.Null;
        }

        bool plain = random.Next(5) == 0; // the type's default: 0, "", no elements
        return type switch
        {
            ColumnValueType.String => ColumnValue.FromString(plain ? string.Empty : "sé-" + random.Next(1_000_000) + new string('x', random.Next(200))),
            ColumnValueType.Int64 => ColumnValue.FromInt64(plain ? 0 : random.NextInt64(long.MinValue, long.MaxValue)),
            ColumnValueType.Float64 => ColumnValue.FromFloat64(plain ? 0d : random.Next(8) switch { 0 => -0.0, 1 => double.NaN, _ => (random.NextDouble() - 0.5) * 1e9 }),
            ColumnValueType.Binary => ColumnValue.FromBinary(plain ? [] : [.. Enumerable.Range(0, random.Next(1, 300)).Select(_ => (byte)random.Next(256))]),
            ColumnValueType.StringArray => ColumnValue.FromStringArray(plain ? [] : [string.Empty, "a", "ü|" + random.Next(100)]),
            ColumnValueType.Int64Array => ColumnValue.FromInt64Array(plain ? [] : [0, -1, random.NextInt64(), long.MinValue]),
            ColumnValueType.Timestamp => ColumnValue.FromTimestamp(plain ? 0 : random.NextInt64(long.MinValue, long.MaxValue)),
            _ => ColumnValue.Null,
        };
    }
}
