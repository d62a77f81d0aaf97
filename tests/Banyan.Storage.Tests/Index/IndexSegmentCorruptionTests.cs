using Banyan.Storage.Index.Segments;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Tests.Query;

namespace Banyan.Storage.Tests.Index;

/// <summary>Damaged segment bytes may only ever raise <see cref="StorageCorruptionException"/>.</summary>
public sealed class IndexSegmentCorruptionTests
{
    private const int Seed = 5150;

    private static byte[] SampleImage()
    {
        var random = new Random(Seed);
        var generator = new RandomCriteria(random);
        var builder = new IndexSegmentBuilder(RandomCriteria.Schema);
        for (int i = 0; i < 150; i++)
        {
            builder.Add(new IndexDocument((ulong)i, i, generator.RandomTags()));
        }

        return builder.Build("sample").Image;
    }

    [Fact]
    public void EveryFlippedByteIsDetectedWhenOpening()
    {
        byte[] image = SampleImage();
        var random = new Random(Seed);
        // All header and footer bytes, and a sample of the rest.
        var positions = Enumerable.Range(0, 8).Concat(Enumerable.Range(image.Length - 24, 24)).Concat(Enumerable.Range(0, 400).Select(_ => random.Next(image.Length)));
        foreach (int position in positions)
        {
            byte[] damaged = (byte[])image.Clone();
            damaged[position] ^= (byte)(1 << random.Next(8));
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Parse(damaged, "seg.idx", verifyChecksums: true));
            Assert.Equal("seg.idx", e.FilePath);
            Assert.InRange(e.Offset, -1, image.Length);
        }
    }

    [Fact]
    public void EveryTruncationIsDetectedWhenOpening()
    {
        byte[] image = SampleImage();
        for (int length = 0; length < image.Length; length += Math.Max(1, image.Length / 300))
        {
            Assert.Throws<StorageCorruptionException>(() => IndexSegment.Parse(image.AsSpan(0, length).ToArray(), "seg.idx", verifyChecksums: true));
        }
    }

    /// <summary>
    /// Even with checksums skipped, structural checks must turn damage into the typed exception (or
    /// a readable segment), never another exception type, a hang or a crash, while parsing and querying.
    /// </summary>
    [Fact]
    public void StructuralChecksStopDamageWithoutChecksums()
    {
        byte[] image = SampleImage();
        var random = new Random(Seed + 1);
        var generator = new RandomCriteria(new Random(Seed + 2));
        Criteria[] queries = [.. Enumerable.Range(0, 12).Select(_ => generator.RandomTree(2))];
        for (int round = 0; round < 300; round++)
        {
            byte[] damaged = (byte[])image.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            }

            try
            {
                IndexSegment segment = IndexSegment.Parse(damaged, "seg.idx", verifyChecksums: false);
                foreach (Criteria q in queries)
                {
                    FilterPlan plan = FilterPlanner.Plan(q, segment, RandomCriteria.Schema);
                    _ = plan.Candidates.Count;
                }

                for (int d = 0; d < segment.DocCount; d++)
                {
                    foreach (IndexedTag tag in RandomCriteria.Schema.Tags)
                    {
                        _ = segment.StoredValue(tag.Name, d);
                    }
                }
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }
}
