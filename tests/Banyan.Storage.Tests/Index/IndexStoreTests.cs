using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Index;

public sealed class IndexStoreTests : IDisposable
{
    private static readonly IndexSchema s_schema = new([new IndexedTag("svc"), new IndexedTag("msg", AnalyzerKind.Standard, Stored: false)]);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "banyan-idx-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static List<IndexDocument> Batch(int start, int count)
    {
        var docs = new List<IndexDocument>();
        for (int i = start; i < start + count; i++)
        {
            docs.Add(new IndexDocument((ulong)(i % 7), i, new Dictionary<string, TagValue>
            {
                ["svc"] = TagValue.FromString("svc-" + (i % 3)),
                ["msg"] = TagValue.FromString(i % 2 == 0 ? "request failed with timeout" : "request ok"),
            }));
        }

        return docs;
    }

    private static List<long> Timestamps(IndexStore store, Criteria criteria)
    {
        var result = new List<long>();
        foreach (SegmentPlan p in FilterPlanner.Plan(criteria, store.View(), store.Schema))
        {
            Assert.True(p.Plan.IsExact);
            PostingListIterator it = p.Plan.Candidates.GetIterator();
            while (it.MoveNext())
            {
                result.Add(p.Segment.TimestampAt((int)it.Current));
            }
        }

        result.Sort();
        return result;
    }

    private static readonly Criteria s_query = new LogicalExpression(
        LogicalOp.And,
        new Condition("svc", ConditionOp.Eq, TagValue.FromString("svc-1")),
        new Condition("msg", ConditionOp.Match, TagValue.FromString("TIMEOUT")));

    private static List<long> Expected(int upTo) => Enumerable.Range(0, upTo).Where(i => i % 3 == 1 && i % 2 == 0).Select(i => (long)i).ToList();

    [Fact]
    public void FlushMergeAndReopenKeepEveryDocument()
    {
        IndexStore store = IndexStore.Open(_dir, s_schema);
        Assert.True(store.AddBatch(1, Batch(0, 100)));
        Assert.True(store.AddBatch(2, Batch(100, 100)));
        Assert.Equal(Expected(200), Timestamps(store, s_query));
        store.Flush();
        Assert.Equal(2, store.AppliedBatchSequence);
        Assert.True(store.AddBatch(3, Batch(200, 50)));
        store.Flush();
        Assert.Equal(2, store.View().Flushed.Count);
        store.Merge();
        Assert.Single(store.View().Flushed);
        Assert.True(store.AddBatch(4, Batch(250, 50)));
        Assert.Equal(Expected(300), Timestamps(store, s_query));

        // Only the live files remain on disk.
        Assert.Equal(store.LiveFiles.OrderBy(f => f, StringComparer.Ordinal), Directory.GetFiles(_dir).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal)!);

        // Batch 4 was only in memory: a restart loses it until the WAL replays it.
        IndexStore reopened = IndexStore.Open(_dir, s_schema);
        Assert.Equal(3, reopened.AppliedBatchSequence);
        Assert.Equal(Expected(250), Timestamps(reopened, s_query));

        // Replay from the start: flushed batches are skipped, the rest is re-indexed once.
        Assert.False(reopened.AddBatch(1, Batch(0, 100)));
        Assert.False(reopened.AddBatch(3, Batch(200, 50)));
        Assert.True(reopened.AddBatch(4, Batch(250, 50)));
        Assert.Equal(Expected(300), Timestamps(reopened, s_query));
        Assert.Throws<ArgumentException>(() => reopened.AddBatch(4, Batch(250, 1)));
    }

    [Fact]
    public void LeftoversOfAnInterruptedFlushAreRemovedOnOpen()
    {
        IndexStore store = IndexStore.Open(_dir, s_schema);
        store.AddBatch(1, Batch(0, 10));
        store.Flush();
        // A segment written but never listed (crash before the manifest) and a half-written temp.
        File.WriteAllBytes(Path.Combine(_dir, IndexManifest.SegmentFileName(99)), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(_dir, "0000000000000005.imf.tmp"), [1]);
        IndexStore reopened = IndexStore.Open(_dir, s_schema);
        Assert.Equal(store.LiveFiles.Order(StringComparer.Ordinal), Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);
        Assert.Equal(Expected(10), Timestamps(reopened, s_query));
    }

    [Fact]
    public void DamagedLiveFilesAreReportedWithFileAndOffset()
    {
        IndexStore store = IndexStore.Open(_dir, s_schema);
        store.AddBatch(1, Batch(0, 50));
        store.Flush();
        string segment = Path.Combine(_dir, store.LiveFiles.Single(f => f.EndsWith(".idx", StringComparison.Ordinal)));
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(segment, bytes);
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => IndexStore.Open(_dir, s_schema));
        Assert.Equal(segment, e.FilePath);
        Assert.True(e.Offset >= 0);

        File.WriteAllBytes(segment, bytes.AsSpan(0, bytes.Length - 3).ToArray());
        e = Assert.Throws<StorageCorruptionException>(() => IndexStore.Open(_dir, s_schema));
        Assert.Equal(segment, e.FilePath);

        File.Delete(segment);
        e = Assert.Throws<StorageCorruptionException>(() => IndexStore.Open(_dir, s_schema));
        Assert.Contains("missing", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_added_to_the_schema_keeps_answering_through_flushes_and_merges()
    {
        var narrow = new IndexSchema([new IndexedTag("svc")]);
        IndexStore store = IndexStore.Open(_dir, narrow);
        store.AddBatch(1, Batch(0, 40)); // "msg" present in the documents, not indexed
        store.Flush();
        store.ChangeSchema(s_schema);
        store.AddBatch(2, Batch(40, 40));
        store.AddBatch(3, Batch(80, 40), narrow); // prepared before the change: indexed as it was prepared
        store.AddBatch(4, Batch(120, 40));
        store.Flush(); // three runs of equal fields in memory: three files
        Assert.Equal(4, store.View().Flushed.Count);
        Assert.False(store.Merge()); // fields alternate: no two adjacent files were built alike
        store.AddBatch(5, Batch(160, 40));
        store.Flush();
        Assert.True(store.Merge()); // the last two were
        Assert.Equal(4, store.View().Flushed.Count);

        // Segments built with "msg" answer MATCH from the index; the others leave it to the rows.
        int exactDocs = 0, residualDocs = 0;
        foreach (SegmentPlan p in FilterPlanner.Plan(s_query, store.View(), store.Schema))
        {
            if (p.Plan.IsExact)
            {
                exactDocs += p.Segment.DocCount;
            }
            else
            {
                residualDocs += p.Segment.DocCount;
            }
        }

        Assert.Equal(120, exactDocs); // batches 2, 4 and 5, merged into one file
        Assert.Equal(80, residualDocs); // batches 1 and 3
        IndexStore reopened = IndexStore.Open(_dir, s_schema);
        Assert.Equal(store.View().Flushed.Count, reopened.View().Flushed.Count);
        Assert.Equal(5, reopened.AppliedBatchSequence);
    }

    [Fact]
    public void A_flush_takes_only_the_segments_it_found_and_keeps_later_ones_in_memory()
    {
        IndexStore store = IndexStore.Open(_dir, s_schema);
        store.AddBatch(1, Batch(0, 10));
        store.Flush(appliedThrough: 1);
        Assert.Equal(1, store.AppliedBatchSequence);

        // Nothing new for this store, but the caller vouches batches up to 9 reached it: the manifest moves.
        store.Flush(appliedThrough: 9);
        Assert.Equal(9, store.AppliedBatchSequence);
        Assert.Single(store.View().Flushed);
        Assert.False(store.AddBatch(7, Batch(10, 5)));
        Assert.True(store.AddBatch(10, Batch(10, 5)));
        Assert.Single(store.View().Memory);
    }
}
