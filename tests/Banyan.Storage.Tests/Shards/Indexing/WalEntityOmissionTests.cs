using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Tests.Shards;
using Banyan.Storage.Values;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Tests.Shards.Indexing;

/// <summary>
/// A shard's WAL records leave out the entity tags of series its series index holds in files (write batch format 3),
/// and a replay restores them: every row comes back with its tags, after any number of reopenings; a series registered
/// since the last flush keeps its tags in the record, since a crash would lose its registration.
/// </summary>
public sealed class WalEntityOmissionTests : IDisposable
{
    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static ShardOptions Options() => new()
    {
        Kind = DataKind.Measure,
        WalEnabled = true,
        Index = IndexModel.Config(DataKind.Measure),
        PartWriter = PartWriterOptions.Default with { Fsync = false },
    };

    [Fact]
    public void Records_written_after_the_series_index_flush_leave_out_the_tags_and_a_replay_restores_them()
    {
        using var dir = new TempDirectory();
        var model = new IndexModel(new Random(5), DataKind.Measure);
        var rows = new List<ModelRow>();
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            Write(shard, model, rows, batches: 6);
            shard.Flush(); // the series index's files now hold every series written so far
            Write(shard, model, rows, batches: 8);
        }

        // The records after the flush: the model's 12 series were all written before it, so each leaves out the
        // string entity tag ("service") of every row; the int one ("instance") is written as before.
        // (The WAL file may still hold the six records before the flush, written whole.)
        List<(long Lsn, byte Version, int Bytes)> records = Records(dir.Path);
        Assert.All(records.TakeLast(8), r => Assert.Equal(WriteBatchCodec.OmittingFormatVersion, r.Version));
        Assert.All(records.SkipLast(8), r => Assert.Equal(WriteBatchCodec.FormatVersion, r.Version));

        for (int round = 0; round < 2; round++)
        {
            using Shard shard = _leaks.Open(dir.Path, Options());
            Assert.Equal(8, shard.Recovery.ReplayedRecords);
            AssertRows(shard, rows, $"reopening {round}");
        }
    }

    [Fact]
    public async Task A_series_registered_since_the_last_flush_keeps_its_tags_in_the_record()
    {
        using var dir = new TempDirectory();
        var model = new IndexModel(new Random(6), DataKind.Measure);
        var rows = new List<ModelRow>();
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            Write(shard, model, rows, batches: 3);

            // Sealed: the series are registered in the series index's memory, not in its files. A crash now would lose
            // the registrations, so the next records must still carry the tags.
            await shard.SealAsync();
            Assert.True(shard.Indexer!.Series.Contains(rows[0].SeriesId));
            Assert.False(shard.Indexer.Series.IsInFiles(rows[0].SeriesId));
            Write(shard, model, rows, batches: 3);
        }

        List<(long Lsn, byte Version, int Bytes)> records = Records(dir.Path);
        Assert.Equal(6, records.Count);
        Assert.All(records, r => Assert.Equal(WriteBatchCodec.FormatVersion, r.Version));

        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            AssertRows(shard, rows, "reopened");

            // After a flush the same series are in the files: from then on their records leave the tags out.
            shard.Flush();
            Assert.True(shard.Indexer!.Series.IsInFiles(rows[0].SeriesId));
            Write(shard, model, rows, batches: 2);
        }

        Assert.Equal(WriteBatchCodec.OmittingFormatVersion, Records(dir.Path)[^1].Version);
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            AssertRows(shard, rows, "reopened after the flush");
        }
    }

    [Fact]
    public void A_batch_mixing_known_and_new_series_leaves_out_only_the_known_ones_tags()
    {
        using var dir = new TempDirectory();
        var rows = new List<ModelRow>();
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            // Only service 0's series first, flushed; then a batch of every service.
            shard.Write(Batch(rows, services: 1, firstVersion: 1));
            shard.Flush();
            shard.Write(Batch(rows, services: 4, firstVersion: 100));
        }

        Assert.Equal(WriteBatchCodec.OmittingFormatVersion, Records(dir.Path)[^1].Version);
        using Shard reopened = _leaks.Open(dir.Path, Options());
        AssertRows(reopened, rows, "reopened");
    }

    [Fact]
    public void Only_the_string_entity_tag_of_series_in_files_is_left_out_and_a_name_two_families_share_never()
    {
        using var dir = new TempDirectory();
        var rows = new List<ModelRow>();
        using Shard shard = _leaks.Open(dir.Path, Options());
        shard.Write(Batch(rows, services: 1, firstVersion: 1));
        shard.Flush();

        // Service 0's three series are in the files, service 1's are new; "instance" is an int entity tag.
        WriteBatch batch = Batch([], services: 2, firstVersion: 10);
        EntityOmission omission = shard.Indexer!.OmissionFor(batch)!;
        Assert.Equal([0], omission.Columns.ToArray());
        Assert.Equal([0], omission.EntityPositions.ToArray());
        Assert.Equal([true, true, true, false, false, false], omission.Rows.ToArray());

        // "service" in a second family too: which column is the entity's is ambiguous, so nothing is left out.
        WriteBatch ambiguous = Batch([], services: 1, firstVersion: 20);
        int other = ambiguous.AddColumn("other", "service", ColumnValueType.String);
        for (int r = 0; r < ambiguous.Count; r++)
        {
            ambiguous.Columns[other].AppendString("x");
        }

        Assert.Null(shard.Indexer.OmissionFor(ambiguous));

        // The subject remembers the last layout it worked out; a batch of another layout is worked out again, whichever
        // came last: the first layout again, then the same tags in the other order.
        Assert.Equal([0], shard.Indexer.OmissionFor(Batch([], services: 1, firstVersion: 30))!.Columns.ToArray());
        WriteBatch reordered = new(DataKind.Measure);
        reordered.AddColumn("default", "instance", ColumnValueType.Int64);
        reordered.AddColumn("default", "service", ColumnValueType.String);
        IReadOnlyList<TagValue> known = IndexModel.Entity(0, 1);
        reordered.AddRow(Banyan.Storage.Series.SeriesKey.ComputeSeriesId(IndexModel.Subject, known), 40, 40, [ColumnValue.FromInt64(known[1].Number), ColumnValue.FromString(known[0].Text)]);
        EntityOmission swapped = shard.Indexer.OmissionFor(reordered)!;
        Assert.Equal([1], swapped.Columns.ToArray());
        Assert.Equal([0], swapped.EntityPositions.ToArray());
        Assert.Equal([true], swapped.Rows.ToArray());
    }

    private static void Write(Shard shard, IndexModel model, List<ModelRow> rows, int batches)
    {
        for (int i = 0; i < batches; i++)
        {
            (WriteBatch batch, List<ModelRow> r) = model.NextBatch(25);
            shard.Write(batch);
            rows.AddRange(r);
        }
    }

    // One row per (service, instance) of the first `services` services, tags "service" and "instance" only.
    private static WriteBatch Batch(List<ModelRow> rows, int services, long firstVersion)
    {
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn("default", "service", ColumnValueType.String);
        batch.AddColumn("default", "instance", ColumnValueType.Int64);
        long version = firstVersion;
        for (int s = 0; s < services; s++)
        {
            for (int i = 0; i < 3; i++)
            {
                IReadOnlyList<TagValue> entity = IndexModel.Entity(s, i);
                ulong sid = Banyan.Storage.Series.SeriesKey.ComputeSeriesId(IndexModel.Subject, entity);
                batch.AddRow(sid, 10 + s, version, [ColumnValue.FromString(entity[0].Text), ColumnValue.FromInt64(entity[1].Number)]);
                rows.Add(new ModelRow(sid, 10 + s, version, new Dictionary<string, TagValue>(StringComparer.Ordinal) { ["service"] = entity[0], ["instance"] = entity[1] }));
                version++;
            }
        }

        return batch;
    }

    // Every record the shard's WAL holds: its LSN, the write batch format version of its payload, and its size.
    private static List<(long Lsn, byte Version, int Bytes)> Records(string shardFolder)
    {
        var records = new List<(long, byte, int)>();
        using WriteAheadLog wal = WriteAheadLog.Open(Path.Combine(shardFolder, "wal"));
        wal.Replay(0, (lsn, payload) => records.Add((lsn, payload[4], payload.Length)));
        return records;
    }

    // Every row as the model has it, entity tags included (the latest version of a series and timestamp wins).
    private static void AssertRows(Shard shard, List<ModelRow> rows, string where)
    {
        string[] expected = [.. rows
            .GroupBy(r => (r.SeriesId, r.Timestamp)).Select(g => g.MaxBy(r => r.ElementIdOrVersion)!)
            .Select(r => Describe(r.SeriesId, r.Timestamp, r.ElementIdOrVersion, r.Tags))
            .Order(StringComparer.Ordinal)];
        string[] actual = [.. shard.QueryIndexed(null, long.MinValue, long.MaxValue)
            .Select(r => Describe(r.SeriesId, r.Timestamp, r.VersionOrElementId, r.Tags))
            .Order(StringComparer.Ordinal)];
        Assert.True(expected.SequenceEqual(actual), $"{where}: expected {expected.Length} rows, got {actual.Length}; first difference: {expected.Except(actual).FirstOrDefault()} / {actual.Except(expected).FirstOrDefault()}");
    }

    private static string Describe(ulong sid, long ts, long third, IReadOnlyDictionary<string, TagValue> tags) =>
        $"{sid}/{ts}/{third}:" + string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value));
}
