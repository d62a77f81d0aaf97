using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Tests.Shards;

/// <summary>
/// A shard whose newest WAL file lost acknowledged records refuses to open (an independent check had
/// found streams losing rows and measures bringing back older versions in silence); repair mode
/// opens it and reports every dropped byte.
/// </summary>
public sealed class ShardWalDamageTests
{
    private const ulong Series = 42;
    private const long Timestamp = 1_000;

    private static ShardOptions Options(DataKind kind, WalRecoveryMode mode = WalRecoveryMode.Strict) => new()
    {
        Kind = kind,
        PartWriter = PartWriterOptions.Default with { Fsync = false },
        Wal = new WalOptions { Recovery = mode },
    };

    private static WriteBatch Measure(long version, double value)
    {
        WriteBatch batch = new(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Float64);
        batch.AddRow(Series, Timestamp, version, [ColumnValue.FromFloat64(value)]);
        return batch;
    }

    private static WriteBatch Stream(long element)
    {
        WriteBatch batch = new(DataKind.Stream);
        batch.AddColumn("default", "v", ColumnValueType.Int64);
        batch.AddRow(Series, Timestamp + element, element, [ColumnValue.FromInt64(element)]);
        return batch;
    }

    private static List<(long Version, double Value)> ReadMeasure(Shard shard)
    {
        List<(long, double)> rows = [];
        using ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All);
        while (scan.MoveNext())
        {
            rows.Add((scan.Version, scan.CurrentBlock.FindColumn(null, "v")!.GetDouble(scan.CurrentRow)));
        }

        return rows;
    }

    private static int CountRows(Shard shard)
    {
        using ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All);
        int rows = 0;
        while (scan.MoveNext())
        {
            rows++;
        }

        return rows;
    }

    private static string NewestWal(string shard) => Directory.GetFiles(Path.Combine(shard, "wal"), "*.wal").Max(StringComparer.Ordinal)!;

    [Fact]
    public void A_cut_newest_wal_file_does_not_bring_back_an_older_measure_version()
    {
        using TempDirectory dir = new();
        using (Shard shard = Shard.Open(dir.Path, Options(DataKind.Measure)))
        {
            shard.Write(Measure(1, 1.5));
            shard.Flush();
            shard.Write(Measure(2, 2.5)); // acknowledged: only in the WAL
        }

        string wal = NewestWal(dir.Path);
        byte[] full = File.ReadAllBytes(wal);
        foreach (int cut in new[] { 1, 7, 16, full.Length - WalFormat.HeaderSize - 1 })
        {
            File.WriteAllBytes(wal, full.AsSpan(0, full.Length - cut).ToArray());
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => Shard.Open(dir.Path, Options(DataKind.Measure)));
            Assert.Equal(wal, e.FilePath);
        }

        // The operator's repair: the record is dropped and reported, and the older version is what is left.
        using (Shard repaired = Shard.Open(dir.Path, Options(DataKind.Measure, WalRecoveryMode.Repair)))
        {
            WalDroppedRange range = Assert.Single(repaired.Recovery.Wal.Dropped);
            Assert.Equal((wal, WalDropKind.Damaged), (range.FilePath, range.Kind));
            Assert.Equal([(1L, 1.5)], ReadMeasure(repaired));
        }

        // Undamaged, the newest acknowledged version wins.
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(wal)!))
        {
            File.Delete(file); // the repair started a new file
        }

        File.WriteAllBytes(wal, full);
        using Shard intact = Shard.Open(dir.Path, Options(DataKind.Measure));
        Assert.Equal([(2L, 2.5)], ReadMeasure(intact));
    }

    [Fact]
    public void A_stream_wal_cut_at_a_record_boundary_is_corruption()
    {
        using TempDirectory dir = new();
        using (Shard shard = Shard.Open(dir.Path, Options(DataKind.Stream)))
        {
            for (int i = 0; i < 3; i++)
            {
                shard.Write(Stream(i));
            }
        }

        string wal = NewestWal(dir.Path);
        byte[] full = File.ReadAllBytes(wal);
        int record = (full.Length - WalFormat.HeaderSize) / 3;
        File.WriteAllBytes(wal, full.AsSpan(0, full.Length - record).ToArray());
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => Shard.Open(dir.Path, Options(DataKind.Stream)));
        Assert.Equal((wal, (long)(full.Length - record)), (e.FilePath, e.Offset));

        File.WriteAllBytes(wal, full);
        using Shard intact = Shard.Open(dir.Path, Options(DataKind.Stream));
        Assert.Equal(3, CountRows(intact));
        Assert.True(intact.Recovery.Wal.IsClean);
    }
}
