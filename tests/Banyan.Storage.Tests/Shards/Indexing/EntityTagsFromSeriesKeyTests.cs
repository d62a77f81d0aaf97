using System.Text;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards.Indexing;

/// <summary>
/// A shard with indexes writes its parts in format 4: a measure's entity tags are not in the parts' tag files but read
/// back from the series index, through flushes, merges and a reopen, and reads of them are answered as before.
/// </summary>
public sealed class EntityTagsFromSeriesKeyTests : IDisposable
{
    private static readonly ShardIndexConfig s_cpu = new(DataKind.Measure, "cpu", ["host", "pod"], [new ShardIndexRule("region")]);

    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static ShardOptions Options() => new()
    {
        Kind = DataKind.Measure,
        Subjects = [s_cpu],
        PartWriter = PartWriterOptions.Default with { Fsync = false, Codec = Banyan.Storage.Compression.CompressionCodec.None }, // bytes searchable in the files
        SealRows = 40,
    };

    [Fact]
    public void Entity_tags_leave_the_parts_and_read_back_through_flush_merge_and_reopen()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options());
        var expected = new Dictionary<(ulong, long), (string Host, string Pod, string Region)>();
        for (int round = 0; round < 4; round++)
        {
            shard.Write(Rows(round * 25, 25, expected));
            shard.Flush();
        }

        Check(shard, expected, "flushed");

        // No entity value is in any part's tag values; the indexed, non-entity tag is.
        string[] tagFiles = Directory.GetFiles(dir.Path, "default.tf", SearchOption.AllDirectories);
        Assert.NotEmpty(tagFiles);
        foreach (string file in tagFiles)
        {
            string bytes = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            Assert.DoesNotContain("host-", bytes, StringComparison.Ordinal);
            Assert.DoesNotContain("pod-", bytes, StringComparison.Ordinal);
            Assert.Contains("region-", bytes, StringComparison.Ordinal);
        }

        shard.Merge(force: true);
        Check(shard, expected, "merged");
        shard.Dispose();

        Shard reopened = _leaks.Open(dir.Path, Options());
        Check(reopened, expected, "reopened");

        // A query on an entity tag decides it on rows whose values came from the series keys.
        using IndexedScan scan = reopened.ScanIndexed("cpu", new Condition("pod", ConditionOp.Eq, TagValue.FromString("pod-1")), long.MinValue, long.MaxValue, ColumnProjection.All);
        int found = 0;
        while (scan.MoveNext())
        {
            Assert.Equal("pod-1", scan.Tags.GetTag("pod")!.Text);
            found++;
        }

        Assert.Equal(expected.Values.Count(v => v.Pod == "pod-1"), found);
        reopened.Dispose();
    }

    private static void Check(Shard shard, Dictionary<(ulong, long), (string Host, string Pod, string Region)> expected, string where)
    {
        using ShardScan scan = shard.Scan("cpu", SeriesTimeFilter.All, ColumnProjection.All);
        int rows = 0;
        while (scan.MoveNext())
        {
            (string host, string pod, string region) = expected[(scan.SeriesId, scan.Timestamp)];
            Block block = scan.CurrentBlock;
            int row = scan.CurrentRow;
            Assert.True(host == block.FindColumn("default", "host")!.GetString(row), $"{where}: host of series {scan.SeriesId}");
            Assert.True(pod == block.FindColumn("default", "pod")!.GetString(row), $"{where}: pod of series {scan.SeriesId}");
            Assert.True(region == block.FindColumn("default", "region")!.GetString(row), $"{where}: region of series {scan.SeriesId}");
            rows++;
        }

        Assert.True(expected.Count == rows, $"{where}: {rows} rows read, {expected.Count} written");
    }

    // count rows from time first: 6 series (host × pod), a region that changes row by row, field v.
    private static WriteBatch Rows(int first, int count, Dictionary<(ulong, long), (string, string, string)> expected)
    {
        WriteBatch batch = new(DataKind.Measure, "cpu");
        batch.AddColumn("default", "host", ColumnValueType.String);
        batch.AddColumn("default", "pod", ColumnValueType.String);
        batch.AddColumn("default", "region", ColumnValueType.String);
        batch.AddColumn(null, "v", ColumnValueType.Float64);
        for (int i = first; i < first + count; i++)
        {
            string host = "host-" + (i % 3);
            string pod = "pod-" + (i % 2);
            string region = "region-" + (i % 5);
            ulong series = SeriesKey.ComputeSeriesId("cpu", [TagValue.FromString(host), TagValue.FromString(pod)]);
            batch.AddRow(series, i, 0, [ColumnValue.FromString(host), ColumnValue.FromString(pod), ColumnValue.FromString(region), ColumnValue.FromFloat64(i)]);
            expected[(series, i)] = (host, pod, region);
        }

        return batch;
    }
}
