using System.Globalization;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Benchmarks.Tests;

/// <summary>
/// <c>part-stats DIR</c> reports what a shard folder holds: its parts' rows and blocks, and the documents of the index
/// segments under <c>idx/</c> and <c>sidx/</c> (one per series of a measure), counted from a shard written here.
/// </summary>
public sealed class PartStatsCommandTests : IDisposable
{
    private const int Hosts = 5;
    private const int Points = 12;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "banyan-part-stats-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Counts_the_rows_of_the_parts_and_one_index_document_per_series()
    {
        WriteShard(Path.Combine(_root, "shard-0"), Hosts);

        string report = Run(_root);

        Assert.Contains(Invariant($"1 parts, {Hosts * Points} rows in {Hosts} blocks"), report, StringComparison.Ordinal);
        Assert.Contains(Invariant($"index segments under {ShardIndexer.SeriesIndexFolder}/: 1 files"), report, StringComparison.Ordinal);
        Assert.Matches(Invariant($@"index segments under {ShardIndexer.SeriesIndexFolder}/: 1 files, [\d,]+ B, {Hosts} documents"), report);
        Assert.Matches(Invariant($@"index segments under {ShardIndexer.IndexFolder}/: 1 files, [\d,]+ B, {Hosts} documents"), report);
    }

    [Fact]
    public void Adds_up_the_segments_of_every_shard_below_the_folder()
    {
        WriteShard(Path.Combine(_root, "seg-a", "shard-0"), 3);
        WriteShard(Path.Combine(_root, "seg-a", "shard-1"), 4);

        string report = Run(_root);

        Assert.Contains(Invariant($"2 parts, {7 * Points} rows in 7 blocks"), report, StringComparison.Ordinal);
        Assert.Matches(Invariant($@"index segments under {ShardIndexer.SeriesIndexFolder}/: 2 files, [\d,]+ B, 7 documents"), report);
        Assert.Matches(Invariant($@"index segments under {ShardIndexer.IndexFolder}/: 2 files, [\d,]+ B, 7 documents"), report);
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_a_usage_error()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);

        int code = PartStatsCommand.Run([Path.Combine(_root, "missing")], output, error);

        Assert.Equal(2, code);
        Assert.Contains("expected one existing folder", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    private static string Run(string folder)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, PartStatsCommand.Run([folder], output, error));
        Assert.Empty(error.ToString());
        return output.ToString();
    }

    // A measure "cpu" with entity host and an index rule on region: hosts series of Points rows each, flushed to one part.
    private static void WriteShard(string folder, int hosts)
    {
        var cpu = new ShardIndexConfig(DataKind.Measure, "cpu", ["host"], [new ShardIndexRule("region")]);
        using Shard shard = Shard.Open(folder, new ShardOptions
        {
            Kind = DataKind.Measure,
            Subjects = [cpu],
            PartWriter = PartWriterOptions.Default with { Fsync = false },
        });
        var batch = new WriteBatch(DataKind.Measure, "cpu");
        batch.AddColumn("default", "host", ColumnValueType.String);
        batch.AddColumn("default", "region", ColumnValueType.String);
        batch.AddColumn(null, "v", ColumnValueType.Float64);
        for (int t = 0; t < Points; t++)
        {
            for (int h = 0; h < hosts; h++)
            {
                string host = "h-" + h;
                ulong series = SeriesKey.ComputeSeriesId("cpu", [TagValue.FromString(host)]);
                batch.AddRow(series, 1_000 + t, 0, [ColumnValue.FromString(host), ColumnValue.FromString(h % 2 == 0 ? "eu" : "us"), ColumnValue.FromFloat64(t)]);
            }
        }

        shard.Write(batch);
        shard.Flush();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
