using Banyan.Storage.Index.Segments;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Tests.Query;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards.Indexing;

public sealed class ShardIndexerTests
{
    private static bool Long => Environment.GetEnvironmentVariable("BANYAN_LONG_TESTS") == "1";

    [Theory]
    [InlineData(DataKind.Stream, 11)]
    [InlineData(DataKind.Stream, 12)]
    [InlineData(DataKind.Stream, 13)]
    [InlineData(DataKind.Measure, 21)]
    [InlineData(DataKind.Measure, 22)]
    [InlineData(DataKind.Measure, 23)]
    public void RandomBatchesFlushMergeReopenReplayMatchTheModel(DataKind kind, int seed)
    {
        int steps = Long ? 400 : 60;
        using var dir = new TempDirectory();
        var random = new Random(seed);
        var model = new IndexModel(random, kind);
        var criteria = new RandomCriteria(random);
        ShardIndexConfig config = IndexModel.Config(kind);
        var wal = new List<(long Sequence, WriteBatch Batch, List<ModelRow> Rows)>();
        var rows = new List<ModelRow>();
        int expectedMeasureDocs = 0;
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, config);
        long sequence = 0;
        for (int step = 0; step < steps; step++)
        {
            string where = $"seed {seed}, step {step}";
            switch (random.Next(12))
            {
                case 0:
                    indexer.Flush();
                    Assert.Equal(indexer.LastIndexedSequence, indexer.DurableSequence);
                    break;
                case 1:
                    indexer.Merge();
                    break;
                case 2:
                    // A crash between the flushes of the two indexes.
                    if (random.Next(2) == 0)
                    {
                        indexer.InvertedIndex.Flush();
                    }
                    else
                    {
                        indexer.Series.Store.Flush();
                    }

                    break;
                case 3:
                    // "Crash": drop the in-memory state, reopen, replay the WAL either from the start or from the durable sequence.
                    long durable = indexer.DurableSequence;
                    indexer = ShardIndexer.Open(dir.Path, config);
                    Assert.True(indexer.DurableSequence >= Math.Min(durable, indexer.LastIndexedSequence), where);
                    long from = random.Next(2) == 0 ? 0 : indexer.DurableSequence + 1;
                    foreach ((long seq, WriteBatch batch, _) in wal)
                    {
                        if (seq >= from)
                        {
                            indexer.Index(seq, batch);
                        }
                    }

                    break;
                default:
                    sequence += random.Next(1, 3); // WAL sequences increase, with gaps
                    (WriteBatch b, List<ModelRow> r) = model.NextBatch(20);
                    Assert.True(indexer.Index(sequence, b), where);
                    Assert.False(indexer.Index(sequence, b), where); // a second delivery is ignored
                    wal.Add((sequence, b, r));
                    rows.AddRange(r);
                    expectedMeasureDocs += kind == DataKind.Measure ? IndexModel.MeasureDocuments(r, config) : 0;
                    break;
            }

            // No document indexed twice (and none lost).
            Assert.Equal(kind == DataKind.Stream ? rows.Count : expectedMeasureDocs, indexer.DocumentCount);
            Check(indexer, rows, criteria, random, where);
        }
    }

    [Fact]
    public void CrashWithoutFlushThenReplayFromZeroIndexesEachRowOnce()
    {
        using var dir = new TempDirectory();
        var random = new Random(5);
        var model = new IndexModel(random, DataKind.Stream);
        ShardIndexConfig config = IndexModel.Config(DataKind.Stream);
        var wal = new List<WriteBatch>();
        var rows = new List<ModelRow>();
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, config);
        for (int seq = 0; seq < 30; seq++)
        {
            (WriteBatch b, List<ModelRow> r) = model.NextBatch(15);
            indexer.Index(seq, b);
            wal.Add(b);
            rows.AddRange(r);
            if (seq == 9 || seq == 19)
            {
                indexer.Flush();
            }

            if (seq == 19)
            {
                indexer.Merge();
            }
        }

        Assert.Equal(19, indexer.DurableSequence);

        // Lose batches 20..29 (never flushed), reopen, replay everything from sequence 0.
        indexer = ShardIndexer.Open(dir.Path, config);
        Assert.Equal(19, indexer.DurableSequence);
        int applied = 0;
        for (int seq = 0; seq < wal.Count; seq++)
        {
            applied += indexer.Index(seq, wal[seq]) ? 1 : 0;
        }

        Assert.Equal(10, applied);
        Assert.Equal(rows.Count, indexer.DocumentCount);
        var criteria = new RandomCriteria(random);
        for (int i = 0; i < 50; i++)
        {
            Check(indexer, rows, criteria, random, $"query {i}");
        }

        // Every row is found exactly once through an EQ on an indexed tag (or NOT EQ when its value is absent).
        var hits = new List<IndexHit>();
        foreach (ModelRow row in rows)
        {
            hits.Clear();
            Criteria c = row.GetTag("s") is { } s ? new Condition("s", ConditionOp.Eq, s) : new Condition("s", ConditionOp.Ne, TagValue.FromString("no such value"));
            indexer.Search(c, row.Timestamp, row.Timestamp, hits);
            Assert.Equal(1, hits.Count(h => h.SeriesId == row.SeriesId && h.ElementId == row.ElementIdOrVersion && h.Accepts(row)));
        }
    }

    [Fact]
    public void ResolvesAndFindsSeriesByEntity()
    {
        using var dir = new TempDirectory();
        var random = new Random(8);
        var model = new IndexModel(random, DataKind.Measure);
        ShardIndexConfig config = IndexModel.Config(DataKind.Measure);
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, config);
        var series = new HashSet<ulong>();
        for (int seq = 1; seq <= 10; seq++)
        {
            (WriteBatch b, List<ModelRow> r) = model.NextBatch(10);
            indexer.Index(seq, b);
            series.UnionWith(r.Select(x => x.SeriesId));
            if (seq == 5)
            {
                indexer.Flush();
            }
        }

        Assert.Equal(series.Count, indexer.Series.Count);
        Assert.Equal(series.Order(), indexer.FindSeries(null).Select(m => m.SeriesId).Order());
        foreach (ulong sid in series)
        {
            List<SeriesMatch> m = indexer.FindSeries(null).Where(x => x.SeriesId == sid).ToList();
            Assert.Single(m);
            Assert.Equal(sid, indexer.ResolveSeries(m[0].EntityValues));
        }

        IReadOnlyList<SeriesMatch> svc1 = indexer.FindSeries(new Condition("service", ConditionOp.Eq, TagValue.FromString("svc-1")));
        Assert.Equal(
            series.Where(s => Enumerable.Range(0, 3).Any(i => SeriesKey.ComputeSeriesId(IndexModel.Subject, IndexModel.Entity(1, i)) == s)).Order(),
            svc1.Select(m => m.SeriesId).Order());
        Assert.Null(indexer.ResolveSeries(IndexModel.Entity(9, 9)));
    }

    [Fact]
    public void A_series_of_an_accepted_write_is_left_to_it_by_later_batches_until_it_is_applied()
    {
        using var dir = new TempDirectory();
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, new ShardIndexConfig(DataKind.Measure, "m", ["service"], []));

        PreparedIndexBatch first = indexer.Prepare(MeasureBatch("a", "b"));
        Assert.Equal(2, first.SeriesCount);
        Assert.Equal(2, first.Documents.Count);

        // Not accepted yet (its write may still fail): another batch registers the series itself.
        Assert.Equal(2, indexer.Prepare(MeasureBatch("a", "b")).SeriesCount);

        indexer.Accept(first);
        PreparedIndexBatch second = indexer.Prepare(MeasureBatch("a", "c"));
        Assert.Equal([SeriesOf("c")], second.SeriesIds);
        Assert.Equal([SeriesOf("c")], second.Documents.Select(d => d.SeriesId));
        indexer.Accept(second);

        indexer.Apply(1, first);
        indexer.Apply(2, second);
        Assert.Equal(new[] { "a", "b", "c" }.Select(SeriesOf).Order(), indexer.SeriesIdsOf("m").Order());
        Assert.Equal(0, indexer.Prepare(MeasureBatch("a", "b", "c")).SeriesCount);
    }

    [Fact]
    public void Batches_of_a_new_series_prepared_before_the_first_is_accepted_leave_one_document_of_it()
    {
        using var dir = new TempDirectory();
        ShardIndexConfig config = new(DataKind.Measure, "m", ["service"], []);
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, config);

        // Three writes in flight at once (the service keeps several batches of a stream in flight): each prepares "a".
        PreparedIndexBatch first = indexer.Prepare(MeasureBatch("a", "b"));
        PreparedIndexBatch second = indexer.Prepare(MeasureBatch("a", "c"));
        PreparedIndexBatch third = indexer.Prepare(MeasureBatch("b", "a"));
        Assert.All([first, second, third], p => Assert.Equal(2, p.Documents.Count));
        indexer.Accept(first);
        indexer.Accept(second);
        indexer.Accept(third);
        indexer.Apply(1, first);
        indexer.Apply(2, second);
        indexer.Apply(3, third);

        // One document per series: "a", "b" and "c", in memory, after a flush and after a reopen and a replay.
        Assert.Equal(3, indexer.DocumentCount);
        List<IndexHit> hits = [];
        indexer.Search("m", null, long.MinValue, long.MaxValue, hits);
        Assert.Equal(new[] { "a", "b", "c" }.Select(SeriesOf).Order(), hits.Select(h => h.SeriesId).Order());
        indexer.Flush();
        indexer = ShardIndexer.Open(dir.Path, config);
        Assert.Equal(3, indexer.DocumentCount);
        Assert.False(indexer.Index(3, MeasureBatch("b", "a")));
        Assert.True(indexer.Index(4, MeasureBatch("a", "d")));
        Assert.Equal(4, indexer.DocumentCount);
    }

    [Fact]
    public void A_series_key_that_does_not_decode_is_corruption_naming_the_segment_the_document_and_the_series()
    {
        using var dir = new TempDirectory();
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, new ShardIndexConfig(DataKind.Measure, "m", ["service"], []));
        Assert.True(indexer.Index(1, MeasureBatch("a")));
        Assert.Equal(TagValue.FromString("a"), indexer.EntityOf(SeriesOf("a"))!.ValueOf("service"));
        Assert.Null(indexer.EntityOf(42)); // not in the index

        // A stored key whose second value has a type byte no key is written with (0x7F).
        byte[] key = [(byte)'m', (byte)'|', 0x7F, (byte)'x', (byte)'|'];
        Assert.True(indexer.Series.Store.AddBatch(2, [new IndexDocument(7, 0, new Dictionary<string, TagValue>
        {
            [SeriesIndex.KeyField] = TagValue.FromBinary(key),
            [SeriesIndex.SubjectField] = TagValue.FromString("m"),
        })]));

        StorageCorruptionException corrupt = Assert.Throws<StorageCorruptionException>(() => indexer.EntityOf(7));
        Assert.Contains("series 7", corrupt.Message);
        Assert.Contains("type byte 127", corrupt.Message);
        Assert.Matches(@"document \d+: the series key", corrupt.Message);

        // Flushed: the error names the segment's file.
        indexer.Flush();
        corrupt = Assert.Throws<StorageCorruptionException>(() => indexer.EntityOf(7));
        Assert.StartsWith(indexer.Series.Store.Directory, corrupt.FilePath);
        Assert.EndsWith(".idx", corrupt.FilePath);
    }

    [Fact]
    public void A_series_whose_first_write_failed_is_documented_by_the_next()
    {
        using var dir = new TempDirectory();
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, new ShardIndexConfig(DataKind.Measure, "m", ["service"], []));

        // Prepared, never accepted (its WAL append failed): the later batch documents the series itself.
        _ = indexer.Prepare(MeasureBatch("a"));
        PreparedIndexBatch retried = indexer.Prepare(MeasureBatch("a"));
        indexer.Accept(retried);
        indexer.Apply(1, retried);

        Assert.Equal(1, indexer.DocumentCount);
        Assert.Equal([SeriesOf("a")], indexer.SeriesIdsOf("m"));
    }

    [Fact]
    public void A_registered_series_the_subject_index_lost_is_documented_again_and_a_documented_one_is_skipped()
    {
        using var dir = new TempDirectory();
        ShardIndexConfig config = new(DataKind.Measure, "m", ["service"], []);
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, config);
        Assert.True(indexer.Index(1, MeasureBatch("a")));

        // A crash after the series index was flushed and before the subject's index was: "a" is registered, not documented.
        indexer.Series.Store.Flush();
        indexer = ShardIndexer.Open(dir.Path, config);
        PreparedIndexBatch again = indexer.Prepare(MeasureBatch("a", "a", "b"));
        Assert.Equal([SeriesOf("b")], again.SeriesIds);
        Assert.Equal(new[] { "a", "b" }.Select(SeriesOf).Order(), again.Documents.Select(d => d.SeriesId).Order());

        // Once both are registered and documented, a batch of them gives the index nothing.
        indexer.Accept(again);
        indexer.Apply(2, again);
        PreparedIndexBatch known = indexer.Prepare(MeasureBatch("b", "a", "b"));
        Assert.Equal(0, known.SeriesCount);
        Assert.Empty(known.Documents);
    }

    [Fact]
    public void A_documented_series_the_series_index_lost_is_registered_again_before_its_rows_are_skipped()
    {
        using var dir = new TempDirectory();
        ShardIndexConfig config = new(DataKind.Measure, "m", ["service"], []);
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, config);
        Assert.True(indexer.Index(1, MeasureBatch("a")));

        // A crash after the subject's index was flushed and before the series index was: "a" is documented, not registered.
        // Rows of a series both registered and documented are skipped after one question (DocumentedSeries remembers the
        // answer); a documented series is not one of them until the series index has it again.
        indexer.InvertedIndex.Flush();
        indexer = ShardIndexer.Open(dir.Path, config);
        PreparedIndexBatch again = indexer.Prepare(MeasureBatch("a", "a"));
        Assert.Equal([SeriesOf("a")], again.SeriesIds);
        Assert.Empty(again.Documents);
        Assert.Equal([SeriesOf("a")], indexer.Prepare(MeasureBatch("a")).SeriesIds); // not accepted yet: asked again

        indexer.Accept(again);
        for (int round = 0; round < 2; round++)
        {
            PreparedIndexBatch known = indexer.Prepare(MeasureBatch("a", "a"));
            Assert.Equal(0, known.SeriesCount);
            Assert.Empty(known.Documents);
        }

        indexer.Apply(2, again);
        Assert.Equal([SeriesOf("a")], indexer.SeriesIdsOf("m"));
        Assert.Equal(0, indexer.Prepare(MeasureBatch("a")).SeriesCount);
    }

    [Fact]
    public async Task A_series_first_written_by_a_buffered_write_is_in_the_index_after_later_writes_a_seal_and_a_replay()
    {
        using var dir = new TempDirectory();
        Banyan.Storage.Shards.ShardOptions options = new()
        {
            Kind = DataKind.Measure,
            Subjects = [new ShardIndexConfig(DataKind.Measure, "m", ["service"], [])],
            PartWriter = Banyan.Storage.Parts.PartWriterOptions.Default with { Fsync = false },
        };
        using (Banyan.Storage.Shards.Shard shard = Banyan.Storage.Shards.Shard.Open(dir.Path, options))
        {
            shard.Write(MeasureBatch("a"));
            shard.Write(MeasureBatch("a", "b")); // a: accepted, not applied; b: new
            await shard.SealAsync();
            Assert.Equal(new[] { "a", "b" }.Select(SeriesOf).Order(), shard.Indexer!.SeriesIdsOf("m").Order());
            shard.Write(MeasureBatch("b", "c"));
            shard.Write(MeasureBatch("c"));
        }

        // Closed with c only in the log: the replay prepares both writes again, c is registered once.
        using (Banyan.Storage.Shards.Shard shard = Banyan.Storage.Shards.Shard.Open(dir.Path, options))
        {
            Assert.Equal(new[] { "a", "b", "c" }.Select(SeriesOf).Order(), shard.Indexer!.SeriesIdsOf("m").Order());
        }
    }

    private static ulong SeriesOf(string service) => SeriesKey.ComputeSeriesId("m", [TagValue.FromString(service)]);

    private static WriteBatch MeasureBatch(params string[] services)
    {
        var batch = new WriteBatch(DataKind.Measure, "m");
        batch.AddColumn("default", "service", ColumnValueType.String);
        long time = 1_000;
        foreach (string service in services)
        {
            batch.AddRow(SeriesOf(service), time++, 1, [ColumnValue.FromString(service)]);
        }

        return batch;
    }

    [Fact]
    public void RejectsBatchesItCannotIndexBeforeChangingAnything()
    {
        using var dir = new TempDirectory();
        ShardIndexConfig config = IndexModel.Config(DataKind.Stream);
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, config);

        var wrongKind = new WriteBatch(DataKind.Measure);
        Assert.Contains("Measure batch", Assert.Throws<ArgumentException>(() => indexer.Index(1, wrongKind)).Message, StringComparison.Ordinal);

        var noEntity = new WriteBatch(DataKind.Stream);
        noEntity.AddColumn("default", "service", ColumnValueType.String);
        noEntity.AddRow(1, 1, 1, [ColumnValue.FromString("svc-0")]);
        Assert.Contains("entity tag 'instance'", Assert.Throws<ArgumentException>(() => indexer.Index(1, noEntity)).Message, StringComparison.Ordinal);

        var badId = new WriteBatch(DataKind.Stream);
        badId.AddColumn("default", "service", ColumnValueType.String);
        badId.AddColumn("default", "instance", ColumnValueType.Int64);
        badId.AddRow(42, 1, 1, [ColumnValue.FromString("svc-0"), ColumnValue.FromInt64(0)]);
        Assert.Contains("is not the hash of its entity values", Assert.Throws<ArgumentException>(() => indexer.Index(1, badId)).Message, StringComparison.Ordinal);

        var nullEntity = new WriteBatch(DataKind.Stream);
        nullEntity.AddColumn("default", "service", ColumnValueType.String);
        nullEntity.AddColumn("default", "instance", ColumnValueType.Int64);
        nullEntity.AddRow(42, 1, 1, [ColumnValue.FromString("svc-0"), ColumnValue.Null]);
        Assert.Contains("entity tag 'instance' is null", Assert.Throws<ArgumentException>(() => indexer.Index(1, nullEntity)).Message, StringComparison.Ordinal);

        var floatTag = new WriteBatch(DataKind.Stream);
        floatTag.AddColumn("default", "service", ColumnValueType.String);
        floatTag.AddColumn("default", "instance", ColumnValueType.Int64);
        floatTag.AddColumn("default", "s", ColumnValueType.Float64);
        floatTag.AddRow(SeriesKey.ComputeSeriesId(IndexModel.Subject, IndexModel.Entity(0, 0)), 1, 1, [ColumnValue.FromString("svc-0"), ColumnValue.FromInt64(0), ColumnValue.FromFloat64(1)]);
        Assert.Contains("'default.s' is Float64", Assert.Throws<ArgumentException>(() => indexer.Index(1, floatTag)).Message, StringComparison.Ordinal);

        Assert.Equal(-1, indexer.LastIndexedSequence);
        Assert.Equal(0, indexer.DocumentCount);
        Assert.Equal(0, indexer.Series.Count);
    }

    [Fact]
    public void RuleFamilyPinsTheColumn()
    {
        using var dir = new TempDirectory();
        var config = new ShardIndexConfig(DataKind.Stream, "s1", ["id"], [new ShardIndexRule("t", "wanted")]);
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, config);
        var batch = new WriteBatch(DataKind.Stream);
        batch.AddColumn("other", "t", ColumnValueType.String);
        batch.AddColumn("wanted", "t", ColumnValueType.String);
        batch.AddColumn("other", "id", ColumnValueType.String);
        ulong sid = SeriesKey.ComputeSeriesId("s1", [TagValue.FromString("a")]);
        batch.AddRow(sid, 5, 1, [ColumnValue.FromString("from-other"), ColumnValue.FromString("from-wanted"), ColumnValue.FromString("a")]);
        indexer.Index(0, batch);
        var hits = new List<IndexHit>();
        indexer.Search(new Condition("t", ConditionOp.Eq, TagValue.FromString("from-wanted")), 0, 10, hits);
        Assert.Single(hits);
        hits.Clear();
        indexer.Search(new Condition("t", ConditionOp.Eq, TagValue.FromString("from-other")), 0, 10, hits);
        Assert.Empty(hits);
    }

    [Fact]
    public void LiveFilesAreTheManifestsAndSegmentsOnDisk()
    {
        using var dir = new TempDirectory();
        var random = new Random(3);
        var model = new IndexModel(random, DataKind.Stream);
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, IndexModel.Config(DataKind.Stream));
        Assert.Equal([$"{ShardIndexer.IndexFolder}/{SubjectConfigFile.FileName}"], indexer.LiveFiles); // the subject's configuration only
        for (int seq = 0; seq < 4; seq++)
        {
            indexer.Index(seq, model.NextBatch(5).Batch);
            indexer.Flush();
        }

        indexer.Merge();
        string[] onDisk = [.. Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir.Path, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];
        Assert.Equal(onDisk, indexer.LiveFiles.Order(StringComparer.Ordinal));
        Assert.Contains(onDisk, f => f.StartsWith("idx/", StringComparison.Ordinal));
        Assert.Contains(onDisk, f => f.StartsWith("sidx/", StringComparison.Ordinal));
    }

    [Fact]
    public void DamagedIndexFileIsReportedOnOpen()
    {
        using var dir = new TempDirectory();
        var model = new IndexModel(new Random(4), DataKind.Stream);
        ShardIndexConfig config = IndexModel.Config(DataKind.Stream);
        ShardIndexer indexer = ShardIndexer.Open(dir.Path, config);
        indexer.Index(0, model.NextBatch(10).Batch);
        indexer.Flush();
        string segment = Directory.GetFiles(Path.Combine(dir.Path, ShardIndexer.IndexFolder), "*" + IndexSegmentFormat.FileExtension, SearchOption.AllDirectories).Single();
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(segment, bytes);
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => ShardIndexer.Open(dir.Path, config));
        Assert.Contains(Path.GetFileName(segment), e.Message, StringComparison.Ordinal);
    }

    /// <summary>Index + residual answers equal brute force over the model rows.</summary>
    private static void Check(ShardIndexer indexer, List<ModelRow> rows, RandomCriteria criteria, Random random, string where)
    {
        Criteria? c = random.Next(10) == 0 ? null : criteria.RandomTree(2);
        IndexSchema schema = indexer.Config.Schema;
        var hits = new List<IndexHit>();
        if (indexer.Config.Kind == DataKind.Stream)
        {
            long min = random.Next(0, 60);
            long max = min + random.Next(0, 60);
            indexer.Search(c, min, max, hits);
            var byElement = rows.ToDictionary(r => r.ElementIdOrVersion);
            var actual = new List<long>();
            foreach (IndexHit h in hits)
            {
                ModelRow row = byElement[h.ElementId];
                Assert.Equal(row.SeriesId, h.SeriesId);
                Assert.Equal(row.Timestamp, h.Timestamp);
                if (h.Accepts(row))
                {
                    actual.Add(h.ElementId);
                }
            }

            long[] expected = [.. rows.Where(r => r.Timestamp >= min && r.Timestamp <= max && (c is null || CriteriaEvaluator.Matches(c, r, schema))).Select(r => r.ElementIdOrVersion).Order()];
            Assert.True(expected.SequenceEqual(actual.Order()), $"{where}: criteria {c}, [{min}, {max}]: expected {expected.Length} elements, index gave {actual.Count}");
        }
        else
        {
            // Measure documents describe series: exact hits must be matching series, and every matching series must be a candidate.
            indexer.Search(c, long.MinValue, long.MaxValue, hits);
            var expected = rows.Where(r => c is null || CriteriaEvaluator.Matches(c, r, schema)).Select(r => r.SeriesId).ToHashSet();
            var candidates = hits.Select(h => h.SeriesId).ToHashSet();
            Assert.True(candidates.IsSupersetOf(expected), $"{where}: criteria {c}: a matching series is not a candidate");
            foreach (IndexHit h in hits)
            {
                Assert.True(!h.IsExact || expected.Contains(h.SeriesId), $"{where}: criteria {c}: exact hit on series {h.SeriesId} that no row matches");
            }

            if (hits.TrueForAll(h => h.IsExact))
            {
                Assert.True(expected.SetEquals(candidates), $"{where}: criteria {c}");
            }
        }
    }
}
