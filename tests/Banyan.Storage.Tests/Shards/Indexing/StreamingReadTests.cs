using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Tests.Query;
using Banyan.Storage.Tests.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards.Indexing;

/// <summary>
/// The streaming reads: a cursor over a view for a subject's series, time range and projected
/// columns, and the index search joined with the rows, both equal to brute force over what was
/// written, whatever mix of buffered, sealed, flushed and merged data holds the rows.
/// </summary>
public sealed class StreamingReadTests : IDisposable
{
    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static ShardOptions Options(DataKind kind) => new()
    {
        Kind = kind,
        Index = IndexModel.Config(kind),
        PartWriter = PartWriterOptions.Default with { Fsync = false, MaxMeasureRowsPerBlock = 16 },
        SealRows = 60,
        Merge = new MergePolicy { MaxPartsPerMerge = 3, MinOutputToLargestRatio = 1.2 },
    };

    [Theory]
    [InlineData(DataKind.Stream, 51)]
    [InlineData(DataKind.Measure, 52)]
    public void Indexed_cursors_match_brute_force_and_decode_only_what_is_projected(DataKind kind, int seed)
    {
        var random = new Random(seed);
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(kind));
        var model = new IndexModel(random, kind);
        var criteria = new RandomCriteria(random);
        var rows = new List<ModelRow>();
        ShardIndexConfig config = IndexModel.Config(kind);
        for (int step = 0; step < 60; step++)
        {
            (WriteBatch batch, List<ModelRow> r) = model.NextBatch(15);
            shard.Write(batch);
            rows.AddRange(r);
            switch (random.Next(6))
            {
                case 0:
                    shard.Flush();
                    break;
                case 1:
                    shard.Merge(force: random.Next(2) == 0);
                    break;
            }

            IEnumerable<ModelRow> visible = kind == DataKind.Measure
                ? rows.GroupBy(x => (x.SeriesId, x.Timestamp)).Select(g => g.MaxBy(x => x.ElementIdOrVersion)!)
                : rows;
            Criteria? c = random.Next(6) == 0 ? null : criteria.RandomTree(2);
            long min = random.Next(0, 60);
            long max = min + random.Next(0, 60);
            string[] expected = [.. visible
                .Where(x => x.Timestamp >= min && x.Timestamp <= max && (c is null || CriteriaEvaluator.Matches(c, x, config.Schema)))
                .Select(x => $"{x.SeriesId}/{x.Timestamp}/{x.ElementIdOrVersion}")];

            // Only the tag "s" projected: without criteria the cursor decodes nothing else.
            ColumnProjection projection = ColumnProjection.Of([], [("default", "s")]);
            using IndexedScan scan = shard.ScanIndexed(IndexModel.Subject, c, min, max, projection);
            var actual = new List<string>();
            (ulong Series, long Time) previous = (0, long.MinValue);
            while (scan.MoveNext())
            {
                Assert.True((scan.SeriesId, scan.Timestamp).CompareTo(previous) >= 0, $"seed {seed}, step {step}: rows out of (series, timestamp) order");
                previous = (scan.SeriesId, scan.Timestamp);
                actual.Add($"{scan.SeriesId}/{scan.Timestamp}/{scan.Version}");
                ModelRow source = rows.First(x => x.SeriesId == scan.SeriesId && x.ElementIdOrVersion == scan.Version);
                Assert.Equal(source.GetTag("s"), scan.Tags.GetTag("s"));
                if (c is null)
                {
                    Assert.All(scan.CurrentBlock.Columns, column => Assert.Equal(("default", "s"), (column.Family, column.Name)));
                }
            }

            Assert.True(expected.Order(StringComparer.Ordinal).SequenceEqual(actual.Order(StringComparer.Ordinal)), $"seed {seed}, step {step}: {c} in [{min}, {max}]: expected {expected.Length}, got {actual.Count}");
        }
    }

    [Fact]
    public void A_subject_cursor_streams_its_series_with_the_projected_columns()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(DataKind.Measure));
        var model = new IndexModel(new Random(53), DataKind.Measure);
        var rows = new List<ModelRow>();
        for (int i = 0; i < 20; i++)
        {
            (WriteBatch batch, List<ModelRow> r) = model.NextBatch(12);
            shard.Write(batch);
            rows.AddRange(r);
            if (i % 7 == 6)
            {
                shard.Flush();
            }
        }

        var latest = rows.GroupBy(x => (x.SeriesId, x.Timestamp)).Select(g => g.MaxBy(x => x.ElementIdOrVersion)!).ToList();
        ulong[] two = [.. latest.Select(x => x.SeriesId).Distinct().Order().Take(2)];
        using ShardScan scan = shard.Scan(IndexModel.Subject, new SeriesTimeFilter(two, 10, 70), ColumnProjection.Of([], [("default", "kw")]));
        var got = new List<(ulong, long, long, TagValue?)>();
        while (scan.MoveNext())
        {
            ColumnBuffer? kw = scan.CurrentBlock.FindColumn("default", "kw");
            Assert.Single(scan.CurrentBlock.Columns);
            got.Add((scan.SeriesId, scan.Timestamp, scan.Version, kw is null || kw.IsNull(scan.CurrentRow) ? null : TagValue.FromString(kw.GetString(scan.CurrentRow)!)));
        }

        var expected = latest.Where(x => two.Contains(x.SeriesId) && x.Timestamp >= 10 && x.Timestamp <= 70)
            .OrderBy(x => x.SeriesId).ThenBy(x => x.Timestamp)
            .Select(x => (x.SeriesId, x.Timestamp, x.ElementIdOrVersion, x.GetTag("kw")))
            .ToList();
        Assert.Equal(expected, got);
    }

    [Fact]
    public async Task Columns_added_to_a_schema_later_read_as_null_in_older_rows()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, new ShardOptions { Kind = DataKind.Measure, PartWriter = PartWriterOptions.Default with { Fsync = false }, SealRows = 1 << 20 });
        WriteBatch Old(int first)
        {
            var b = new WriteBatch(DataKind.Measure);
            b.AddColumn(null, "v", ColumnValueType.Float64);
            for (int i = first; i < first + 5; i++)
            {
                b.AddRow(7, i, 0, [ColumnValue.FromFloat64(i)]);
            }

            return b;
        }

        WriteBatch New(int first)
        {
            var b = new WriteBatch(DataKind.Measure);
            b.AddColumn(null, "v", ColumnValueType.Float64);
            b.AddColumn("default", "added", ColumnValueType.String);
            b.AddColumn(null, "added_field", ColumnValueType.Int64);
            for (int i = first; i < first + 5; i++)
            {
                b.AddRow(7, i, 0, [ColumnValue.FromFloat64(i), ColumnValue.FromString("t" + i), ColumnValue.FromInt64(i)]);
            }

            return b;
        }

        void Check(string where, int expectedRows)
        {
            using ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All);
            int rows = 0;
            while (scan.MoveNext())
            {
                rows++;
                long t = scan.Timestamp;
                bool old = t % 100 < 5 && t < 300;
                ColumnBuffer? tag = scan.CurrentBlock.FindColumn("default", "added");
                ColumnBuffer? field = scan.CurrentBlock.FindColumn(null, "added_field");
                string? tagValue = tag is null || tag.IsNull(scan.CurrentRow) ? null : tag.GetString(scan.CurrentRow);
                long? fieldValue = field is null || field.IsNull(scan.CurrentRow) ? null : field.GetInt64(scan.CurrentRow);
                Assert.True(old ? tagValue is null && fieldValue is null : tagValue == "t" + t && fieldValue == t, $"{where}: row at {t}: tag {tagValue}, field {fieldValue}");
                Assert.Equal(t, scan.CurrentBlock.FindColumn(null, "v")!.GetDouble(scan.CurrentRow));
            }

            Assert.True(rows == expectedRows, $"{where}: {rows} rows, expected {expectedRows}");
        }

        // Old rows on disk, in a memory part and buffered; new rows likewise, same series.
        shard.Write(Old(0));
        shard.Flush();
        shard.Write(New(300));
        shard.Flush();
        shard.Write(Old(100));
        shard.Write(New(400));
        Check("buffered with older parts", 20);
        await shard.SealAsync();
        shard.Write(Old(200));
        shard.Write(New(500));
        Check("sealed and buffered", 30);
        shard.Flush();
        Check("flushed", 30);
        shard.Merge(force: true);
        Check("merged into one part", 30);
    }
}
