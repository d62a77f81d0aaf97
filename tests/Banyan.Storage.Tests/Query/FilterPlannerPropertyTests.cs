using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Query;

/// <summary>
/// Random documents and random criteria trees: index + residual filter must select exactly the
/// documents a brute-force evaluation selects, in single, merged and multi-segment layouts.
/// </summary>
public sealed class FilterPlannerPropertyTests
{
    private sealed class Row(IReadOnlyDictionary<string, TagValue> tags) : ITagRow
    {
        // Rows are decoded from "parts", which keep every tag; the index keeps only its own terms.
        public TagValue? GetTag(string name) => tags.GetValueOrDefault(name);
    }

    private static List<IndexDocument> RandomDocuments(RandomCriteria generator, Random random, int count)
    {
        var docs = new List<IndexDocument>(count);
        for (int i = 0; i < count; i++)
        {
            docs.Add(new IndexDocument((ulong)random.Next(0, 50), i, generator.RandomTags()));
        }

        return docs;
    }

    private static HashSet<long> ViaIndex(Criteria criteria, IReadOnlyList<IndexSegment> segments, Dictionary<long, IndexDocument> byTimestamp)
    {
        var result = new HashSet<long>();
        foreach (IndexSegment segment in segments)
        {
            FilterPlan plan = FilterPlanner.Plan(criteria, segment, RandomCriteria.Schema);
            PostingListIterator it = plan.Candidates.GetIterator();
            while (it.MoveNext())
            {
                int doc = (int)it.Current;
                long ts = segment.TimestampAt(doc);
                if (plan.Residual is null || plan.Residual.Matches(new Row(byTimestamp[ts].Tags), doc))
                {
                    Assert.True(result.Add(ts), $"document {ts} returned twice");
                }
            }
        }

        return result;
    }

    private static HashSet<long> BruteForce(Criteria criteria, List<IndexDocument> docs)
    {
        var result = new HashSet<long>();
        foreach (IndexDocument d in docs)
        {
            if (CriteriaEvaluator.Matches(criteria, new Row(d.Tags), RandomCriteria.Schema))
            {
                result.Add(d.Timestamp);
            }
        }

        return result;
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    public void IndexPlusResidualEqualsBruteForce(int seed)
    {
        var random = new Random(seed);
        var generator = new RandomCriteria(random);
        List<IndexDocument> docs = RandomDocuments(generator, random, 600);
        var byTimestamp = docs.ToDictionary(d => d.Timestamp);

        // Layout A: three batch segments. Layout B: the same merged into one.
        var batches = new List<IndexSegment>();
        for (int start = 0; start < docs.Count; start += 200)
        {
            var builder = new IndexSegmentBuilder(RandomCriteria.Schema);
            foreach (IndexDocument d in docs.Skip(start).Take(200))
            {
                builder.Add(d);
            }

            batches.Add(builder.Build($"batch-{start}"));
        }

        IndexSegment merged = IndexSegmentMerger.Merge(batches, RandomCriteria.Schema, "merged");
        IndexSegment reopened = IndexSegment.Parse(merged.Image, "reopened", verifyChecksums: true);

        int exactPlans = 0;
        for (int round = 0; round < 250; round++)
        {
            Criteria criteria = generator.RandomTree(3);
            HashSet<long> expected = BruteForce(criteria, docs);
            string context = $"seed {seed} round {round}: {criteria}";
            Assert.True(expected.SetEquals(ViaIndex(criteria, batches, byTimestamp)), "batches " + context);
            Assert.True(expected.SetEquals(ViaIndex(criteria, [reopened], byTimestamp)), "merged " + context);
            if (FilterPlanner.Plan(criteria, reopened, RandomCriteria.Schema).IsExact)
            {
                exactPlans++;
            }
        }

        // The index must actually answer a good share of the trees on its own.
        Assert.True(exactPlans > 40, $"seed {seed}: only {exactPlans} of 250 plans were exact");
    }

    [Fact]
    public void StoredValuesRoundTripExceptIndexedOnly()
    {
        var random = new Random(99);
        var generator = new RandomCriteria(random);
        List<IndexDocument> docs = RandomDocuments(generator, random, 300);
        var builder = new IndexSegmentBuilder(RandomCriteria.Schema);
        docs.ForEach(d => builder.Add(d));
        IndexSegment segment = IndexSegmentMerger.Merge([builder.Build("a"), builder.Build("b")], RandomCriteria.Schema, "m");
        for (int doc = 0; doc < segment.DocCount; doc++)
        {
            IndexDocument d = docs[doc % docs.Count];
            Assert.Equal(d.SeriesId, segment.SeriesIdAt(doc));
            Assert.Equal(d.Timestamp, segment.TimestampAt(doc));
            foreach (IndexedTag tag in RandomCriteria.Schema.Tags)
            {
                TagValue? expected = d.Tags.GetValueOrDefault(tag.Name);
                if (expected is not null && expected.Kind == TagValueKind.Null)
                {
                    expected = null;
                }

                TagValue? stored = segment.StoredValue(tag.Name, doc);
                Assert.Equal(tag.Stored ? expected : null, stored);
            }
        }
    }
}
