using Banyan.Storage.Bytes;
using Banyan.Storage.Checksums;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Tests.Shards;
using Banyan.Storage.Values;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Tests.Shards.Indexing;

/// <summary>
/// A shard holds every subject of its group (BanyanDB's tsTable): two measures in one shard, each
/// with its entity and index rules, read apart by subject; subjects configured and rules added while
/// the shard is open; configurations kept across reopen; shards of the previous layout still read.
/// </summary>
public sealed class MultiSubjectShardTests : IDisposable
{
    private static readonly ShardIndexConfig s_cpu = new(DataKind.Measure, "cpu", ["host"], [new ShardIndexRule("region")]);
    private static readonly ShardIndexConfig s_mem = new(DataKind.Measure, "mem", ["host", "pod"], [new ShardIndexRule("zone", "labels")]);

    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static ShardOptions Options(params ShardIndexConfig[] subjects) => new()
    {
        Kind = DataKind.Measure,
        Subjects = subjects,
        PartWriter = PartWriterOptions.Default with { Fsync = false },
        SealRows = 40,
    };

    private sealed record Row(string Subject, ulong Series, long Time, Dictionary<string, TagValue> Tags) : ITagRow
    {
        public TagValue? GetTag(string name) => Tags.GetValueOrDefault(name);
    }

    // cpu rows: host h-<0..3>, region eu/us, rack r-<0..2> (not indexed at first), field v.
    private static (WriteBatch, List<Row>) Cpu(int first, int count, bool withRack)
    {
        WriteBatch batch = new(DataKind.Measure, "cpu");
        batch.AddColumn("default", "host", ColumnValueType.String);
        batch.AddColumn("default", "region", ColumnValueType.String);
        if (withRack)
        {
            batch.AddColumn("default", "rack", ColumnValueType.String);
        }

        batch.AddColumn(null, "v", ColumnValueType.Float64);
        var rows = new List<Row>();
        for (int i = first; i < first + count; i++)
        {
            string host = "h-" + (i % 4);
            string region = i % 3 == 0 ? "eu" : "us";
            string rack = "r-" + (i % 3);
            ulong series = SeriesKey.ComputeSeriesId("cpu", [TagValue.FromString(host)]);
            var tags = new Dictionary<string, TagValue> { ["host"] = TagValue.FromString(host), ["region"] = TagValue.FromString(region) };
            if (withRack)
            {
                tags["rack"] = TagValue.FromString(rack);
                batch.AddRow(series, i, 0, [ColumnValue.FromString(host), ColumnValue.FromString(region), ColumnValue.FromString(rack), ColumnValue.FromFloat64(i)]);
            }
            else
            {
                batch.AddRow(series, i, 0, [ColumnValue.FromString(host), ColumnValue.FromString(region), ColumnValue.FromFloat64(i)]);
            }

            rows.Add(new Row("cpu", series, i, tags));
        }

        return (batch, rows);
    }

    // mem rows: host h-<0..1>, pod p-<0..2> (entity), zone a/b in family "labels", field used (int).
    private static (WriteBatch, List<Row>) Mem(int first, int count)
    {
        WriteBatch batch = new(DataKind.Measure, "mem");
        batch.AddColumn("default", "host", ColumnValueType.String);
        batch.AddColumn("default", "pod", ColumnValueType.String);
        batch.AddColumn("labels", "zone", ColumnValueType.String);
        batch.AddColumn(null, "used", ColumnValueType.Int64);
        var rows = new List<Row>();
        for (int i = first; i < first + count; i++)
        {
            string host = "h-" + (i % 2);
            string pod = "p-" + (i % 3);
            string zone = i % 2 == 0 ? "a" : "b";
            ulong series = SeriesKey.ComputeSeriesId("mem", [TagValue.FromString(host), TagValue.FromString(pod)]);
            batch.AddRow(series, i, 0, [ColumnValue.FromString(host), ColumnValue.FromString(pod), ColumnValue.FromString(zone), ColumnValue.FromInt64(i)]);
            rows.Add(new Row("mem", series, i, new Dictionary<string, TagValue> { ["host"] = TagValue.FromString(host), ["pod"] = TagValue.FromString(pod), ["zone"] = TagValue.FromString(zone) }));
        }

        return (batch, rows);
    }

    private static List<(ulong, long)> Keys(ShardScan scan)
    {
        var keys = new List<(ulong, long)>();
        while (scan.MoveNext())
        {
            keys.Add((scan.SeriesId, scan.Timestamp));
        }

        return keys;
    }

    private static List<(ulong, long)> Expected(IEnumerable<Row> rows) => [.. rows.Select(r => (r.Series, r.Time)).Order()];

    private static void CheckSubjects(Shard shard, List<Row> rows, string where)
    {
        foreach (string subject in (string[])["cpu", "mem"])
        {
            using ShardScan scan = shard.Scan(subject, SeriesTimeFilter.All, ColumnProjection.All);
            Assert.True(Expected(rows.Where(r => r.Subject == subject)).SequenceEqual(Keys(scan)), $"{where}: the rows of '{subject}'");
        }

        using (ShardScan all = shard.Scan(SeriesTimeFilter.All, ColumnProjection.KeysOnly))
        {
            Assert.True(Expected(rows).SequenceEqual(Keys(all)), $"{where}: every row of the shard");
        }

        CheckQuery(shard, rows, "cpu", new Condition("region", ConditionOp.Eq, TagValue.FromString("eu")), 5, 80, where);
        CheckQuery(shard, rows, "mem", new Condition("zone", ConditionOp.Eq, TagValue.FromString("b")), 0, 1000, where);
        CheckQuery(shard, rows, "mem", new LogicalExpression(LogicalOp.And, new Condition("pod", ConditionOp.Eq, TagValue.FromString("p-1")), new Condition("zone", ConditionOp.Ne, TagValue.FromString("a"))), 0, 1000, where);
    }

    private static void CheckQuery(Shard shard, List<Row> rows, string subject, Criteria criteria, long min, long max, string where)
    {
        IndexSchema schema = shard.Indexer!.ConfigOf(subject)!.Schema;
        List<(ulong, long)> expected = Expected(rows.Where(r => r.Subject == subject && r.Time >= min && r.Time <= max && CriteriaEvaluator.Matches(criteria, r, schema)));
        using IndexedScan scan = shard.ScanIndexed(subject, criteria, min, max, ColumnProjection.All);
        var actual = new List<(ulong, long)>();
        while (scan.MoveNext())
        {
            actual.Add((scan.SeriesId, scan.Timestamp));
            Assert.True(CriteriaEvaluator.Matches(criteria, scan.Tags, schema), $"{where}: a returned row of '{subject}' does not match {criteria}");
        }

        Assert.True(expected.SequenceEqual(actual), $"{where}: '{subject}' {criteria} in [{min}, {max}]: expected {expected.Count} rows, got {actual.Count}");
    }

    [Fact]
    public void Two_subjects_share_a_shard_and_are_read_apart_across_seal_flush_merge_and_reopen()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(s_cpu, s_mem));
        var rows = new List<Row>();
        for (int round = 0; round < 6; round++)
        {
            (WriteBatch cpu, List<Row> cpuRows) = Cpu(round * 20, 20, withRack: false);
            (WriteBatch mem, List<Row> memRows) = Mem(round * 15, 15);
            shard.Write(cpu);
            shard.Write(mem);
            rows.AddRange(cpuRows);
            rows.AddRange(memRows);
            CheckSubjects(shard, rows, $"round {round}, buffered or sealed");
            if (round % 2 == 1)
            {
                shard.Flush();
                CheckSubjects(shard, rows, $"round {round}, flushed");
            }
        }

        shard.Merge(force: true);
        CheckSubjects(shard, rows, "merged");

        // Series of one subject, filtered by entity values, from the one series index.
        Assert.Equal(4, shard.Indexer!.SeriesIdsOf("cpu").Length);
        Assert.Equal(6, shard.Indexer.SeriesIdsOf("mem").Length);
        Assert.Equal(3, shard.Indexer.FindSeries("mem", new Condition("host", ConditionOp.Eq, TagValue.FromString("h-1"))).Count);
        Assert.Equal(2, shard.Indexer.FindSeries("mem", new Condition("pod", ConditionOp.Eq, TagValue.FromString("p-0"))).Count);
        Assert.Single(shard.Indexer.FindSeries("mem", new LogicalExpression(LogicalOp.And, new Condition("host", ConditionOp.Eq, TagValue.FromString("h-1")), new Condition("pod", ConditionOp.Eq, TagValue.FromString("p-2")))));
        Assert.Empty(shard.Indexer.FindSeries("cpu", new Condition("pod", ConditionOp.Eq, TagValue.FromString("p-2"))));
        shard.Dispose();

        // The subjects are kept by the shard: opened without any configuration, it still knows them.
        Shard reopened = _leaks.Open(dir.Path, new ShardOptions { Kind = DataKind.Measure, PartWriter = PartWriterOptions.Default with { Fsync = false } });
        Assert.Equal(["cpu", "mem"], reopened.Subjects.Select(s => s.Subject));
        CheckSubjects(reopened, rows, "reopened");
    }

    [Fact]
    public void A_rule_added_while_open_indexes_the_writes_after_it_and_keeps_indexing_through_flush_and_merge()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(s_cpu, s_mem));
        var rows = new List<Row>();
        (WriteBatch before, List<Row> beforeRows) = Cpu(0, 30, withRack: true); // rack written, not indexed yet
        shard.Write(before);
        rows.AddRange(beforeRows);
        shard.Flush();

        var withRack = new ShardIndexConfig(DataKind.Measure, "cpu", ["host"], [new ShardIndexRule("region"), new ShardIndexRule("rack")]);
        shard.ConfigureSubject(withRack);
        shard.ConfigureSubject(withRack); // idempotent
        for (int round = 0; round < 4; round++)
        {
            (WriteBatch after, List<Row> afterRows) = Cpu(100 + (round * 30), 30, withRack: true);
            shard.Write(after);
            rows.AddRange(afterRows);
            shard.Flush();
        }

        shard.Merge(force: true);

        // The query finds old rows (decided on the rows) and new ones (from the rule's field).
        var rack = new Condition("rack", ConditionOp.Eq, TagValue.FromString("r-1"));
        CheckQuery(shard, rows, "cpu", rack, long.MinValue, long.MaxValue, "after the rule");

        // Flushes and merges kept the field for the segments built with it: the new writes are answered by the index.
        var exactSegments = new List<IndexSegment>();
        foreach (Banyan.Storage.Query.Planning.SegmentPlan plan in FilterPlanner.Plan(rack, shard.Indexer!.InvertedIndexOf("cpu").View(), withRack.Schema))
        {
            if (plan.Plan.IsExact)
            {
                exactSegments.Add(plan.Segment);
            }
        }

        Assert.NotEmpty(exactSegments);
        Assert.Contains(exactSegments, s => s.DocCount >= 4);
        shard.Dispose();
        Shard reopened = _leaks.Open(dir.Path, new ShardOptions { Kind = DataKind.Measure });
        Assert.Equal(["region", "rack"], reopened.Subjects.Single(s => s.Subject == "cpu").Rules.Select(r => r.Tag));
        CheckQuery(reopened, rows, "cpu", rack, long.MinValue, long.MaxValue, "reopened");
    }

    [Fact]
    public void Writes_and_reads_of_subjects_not_configured_are_clear_errors_and_nothing_is_logged()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(s_cpu));
        WriteBatch unknown = new(DataKind.Measure, "disk");
        unknown.AddColumn(null, "v", ColumnValueType.Float64);
        unknown.AddRow(1, 1, 0, [ColumnValue.FromFloat64(1)]);
        ArgumentException e = Assert.Throws<ArgumentException>(() => shard.Write(unknown));
        Assert.Contains("'disk' is not configured", e.Message, StringComparison.Ordinal);
        WriteBatch unnamed = new(DataKind.Measure);
        unnamed.AddColumn(null, "v", ColumnValueType.Float64);
        unnamed.AddRow(1, 1, 0, [ColumnValue.FromFloat64(1)]);
        Assert.Contains("no default subject", Assert.Throws<ArgumentException>(() => shard.Write(unnamed)).Message, StringComparison.Ordinal);
        Assert.Contains("'disk' is not configured", Assert.Throws<ArgumentException>(() => shard.Scan("disk", SeriesTimeFilter.All, ColumnProjection.All)).Message, StringComparison.Ordinal);

        // The entity of a subject cannot change: its series ids are the hash of it.
        var rekeyed = new ShardIndexConfig(DataKind.Measure, "cpu", ["host", "core"], []);
        Assert.Contains("the entity cannot change", Assert.Throws<ArgumentException>(() => shard.ConfigureSubject(rekeyed)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => shard.ConfigureSubject(new ShardIndexConfig(DataKind.Stream, "logs", ["svc"], [])));
        shard.Dispose();
        Shard reopened = _leaks.Open(dir.Path, new ShardOptions { Kind = DataKind.Measure });
        Assert.Equal(0, reopened.Recovery.ReplayedRecords);
        Assert.Equal(["host"], reopened.Subjects.Single().EntityTagNames);
    }

    [Fact]
    public async Task A_shard_without_subjects_gets_its_first_while_open()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, new ShardOptions { Kind = DataKind.Measure, PartWriter = PartWriterOptions.Default with { Fsync = false } });
        Assert.Null(shard.Indexer);
        await shard.ConfigureSubjectAsync(s_mem);
        (WriteBatch mem, List<Row> rows) = Mem(0, 12);
        shard.Write(mem);
        CheckQuery(shard, rows, "mem", new Condition("zone", ConditionOp.Eq, TagValue.FromString("a")), 0, 100, "configured while open");
        await shard.DisposeAsync();
        Shard reopened = _leaks.Open(dir.Path, new ShardOptions { Kind = DataKind.Measure });
        Assert.Equal(1, reopened.Recovery.ReplayedRecords);
        CheckQuery(reopened, rows, "mem", new Condition("zone", ConditionOp.Eq, TagValue.FromString("a")), 0, 100, "replayed");
    }

    [Fact]
    public void A_wal_of_version_1_batches_replays_into_the_default_subject()
    {
        using TempDirectory dir = new();
        ShardIndexConfig config = IndexModel.Config(DataKind.Stream);
        var model = new IndexModel(new Random(6), DataKind.Stream);
        var expected = new List<ModelRow>();

        // The WAL a shard of the previous version left: write batches in format version 1 (no subject).
        using (WriteAheadLog wal = WriteAheadLog.Open(Path.Combine(dir.Path, "wal"), new WalOptions { MinimumNextLsn = 1 }))
        {
            for (int i = 0; i < 3; i++)
            {
                (WriteBatch batch, List<ModelRow> r) = model.NextBatch(10);
                wal.Append(AsVersion1(WriteBatchCodec.Encode(batch)));
                expected.AddRange(r);
            }
        }

        Shard shard = _leaks.Open(dir.Path, new ShardOptions { Kind = DataKind.Stream, Index = config });
        Assert.Equal(3, shard.Recovery.ReplayedRecords);
        Assert.Equal(0, shard.Recovery.UnindexedRecords);
        List<IndexedRow> all = shard.QueryIndexed(null, long.MinValue, long.MaxValue);
        Assert.Equal(expected.Select(r => r.ElementIdOrVersion).Order(), all.Select(r => r.VersionOrElementId).Order());
        using ShardScan scan = shard.Scan(config.Subject, SeriesTimeFilter.All, ColumnProjection.KeysOnly);
        Assert.Equal(expected.Count, Keys(scan).Count);
    }

    [Fact]
    public void A_single_subject_shard_of_the_previous_layout_keeps_its_index_in_idx()
    {
        using TempDirectory dir = new();
        ShardIndexConfig config = IndexModel.Config(DataKind.Stream);
        var model = new IndexModel(new Random(7), DataKind.Stream);
        var expected = new List<ModelRow>();
        ShardOptions options = new() { Kind = DataKind.Stream, Index = config, WalEnabled = false, PartWriter = PartWriterOptions.Default with { Fsync = false } };
        Shard shard = _leaks.Open(dir.Path, options);
        for (int i = 0; i < 4; i++)
        {
            (WriteBatch batch, List<ModelRow> r) = model.NextBatch(10);
            shard.Write(batch);
            expected.AddRange(r);
        }

        shard.Dispose(); // WAL off: everything flushed, indexes included

        // The previous layout: the subject's index files directly in idx/, no configuration file.
        string idx = Path.Combine(dir.Path, ShardIndexer.IndexFolder);
        string subjectFolder = Directory.GetDirectories(idx).Single();
        foreach (string file in Directory.GetFiles(subjectFolder))
        {
            File.Move(file, Path.Combine(idx, Path.GetFileName(file)));
        }

        Directory.Delete(subjectFolder);
        File.Delete(Path.Combine(idx, SubjectConfigFile.FileName));

        Shard reopened = _leaks.Open(dir.Path, options);
        Assert.Equal(expected.Select(r => r.ElementIdOrVersion).Order(), reopened.QueryIndexed(null, long.MinValue, long.MaxValue).Select(r => r.VersionOrElementId).Order());
        Assert.Equal(expected.Count, reopened.Indexer!.DocumentCount);
        Assert.Empty(Directory.GetDirectories(idx)); // adopted in place
        Assert.True(File.Exists(Path.Combine(idx, SubjectConfigFile.FileName)));
    }

    // The version 1 bytes of a batch of the unnamed subject: version byte 1 and no subject field.
    private static byte[] AsVersion1(byte[] version2)
    {
        Assert.Equal(2, version2[4]);
        Assert.Equal(0, version2[6]); // empty subject: one varint byte
        byte[] body = [.. version2.AsSpan(0, 6), .. version2.AsSpan(7, version2.Length - 7 - 4)];
        body[4] = 1;
        using var output = new ByteBuffer(body.Length + 4);
        output.Write(body);
        output.WriteUInt32(Crc32C.Compute(body));
        return output.ToArray();
    }
}
