using Banyan.Storage.Bytes;
using Banyan.Storage.Index.Postings;

namespace Banyan.Storage.Tests.Index;

/// <summary>Posting-list operations checked against <see cref="SortedSet{T}"/> as the model.</summary>
public sealed class PostingListTests
{
    private const int Seed = 4242;

    /// <summary>Random sets from very sparse to very dense, spanning several 65,536-value containers.</summary>
    private static SortedSet<uint> RandomSet(Random random, int shape)
    {
        var set = new SortedSet<uint>();
        uint span = shape switch { 0 => 300_000u, 1 => 200_000u, 2 => 140_000u, _ => 70_000u };
        double density = shape switch { 0 => 0.0001, 1 => 0.01, 2 => 0.5, _ => 0.97 };
        if (random.Next(4) == 0)
        {
            return set; // empty sometimes
        }

        for (uint v = 0; v < span; v++)
        {
            if (random.NextDouble() < density)
            {
                set.Add(v);
            }
        }

        return set;
    }

    private static PostingList Build(SortedSet<uint> set)
    {
        var list = new PostingList();
        foreach (uint v in set)
        {
            list.Add(v);
        }

        return list;
    }

    [Fact]
    public void SetOperationsMatchSortedSetModel()
    {
        var random = new Random(Seed);
        for (int round = 0; round < 40; round++)
        {
            SortedSet<uint> a = RandomSet(random, random.Next(4));
            SortedSet<uint> b = RandomSet(random, random.Next(4));
            PostingList pa = Build(a), pb = Build(b);
            string context = $"seed {Seed} round {round} |a|={a.Count} |b|={b.Count}";

            Assert.True(a.SequenceEqual(pa.ToArray()), context);
            Assert.Equal(a.Count, pa.Count);

            var and = new SortedSet<uint>(a);
            and.IntersectWith(b);
            Assert.True(and.SequenceEqual(pa.And(pb).ToArray()), "AND " + context);

            var or = new SortedSet<uint>(a);
            or.UnionWith(b);
            Assert.True(or.SequenceEqual(pa.Or(pb).ToArray()), "OR " + context);

            var andNot = new SortedSet<uint>(a);
            andNot.ExceptWith(b);
            Assert.True(andNot.SequenceEqual(pa.AndNot(pb).ToArray()), "AND-NOT " + context);

            // Inputs are unchanged by the operations.
            Assert.True(a.SequenceEqual(pa.ToArray()), "input changed " + context);

            for (int probe = 0; probe < 200; probe++)
            {
                uint v = (uint)random.Next(0, 310_000);
                Assert.True(a.Contains(v) == pa.Contains(v), $"contains {v} " + context);
            }
        }
    }

    [Fact]
    public void AdvanceMatchesModel()
    {
        var random = new Random(Seed + 1);
        for (int round = 0; round < 40; round++)
        {
            SortedSet<uint> a = RandomSet(random, random.Next(4));
            PostingList list = Build(a);
            PostingListIterator it = list.GetIterator();
            uint target = 0;
            uint? current = null;
            while (true)
            {
                // Mix of tiny and huge skips, and plain MoveNext steps.
                bool useAdvance = random.Next(3) != 0;
                uint? expected;
                bool moved;
                if (useAdvance)
                {
                    target = (current ?? 0) + (uint)(random.Next(2) == 0 ? random.Next(0, 3) : random.Next(0, 90_000));
                    SortedSet<uint> view = a.GetViewBetween(Math.Max(target, current ?? 0), uint.MaxValue);
                    expected = view.Count > 0 ? view.Min : null;
                    moved = it.Advance(target);
                }
                else
                {
                    SortedSet<uint> view = current is null ? a : a.GetViewBetween(current.Value + 1, uint.MaxValue);
                    expected = view.Count > 0 ? view.Min : null;
                    moved = it.MoveNext();
                }

                Assert.True(expected.HasValue == moved, $"seed {Seed + 1} round {round} advance={useAdvance} target={target} current={current}");
                if (!moved)
                {
                    break;
                }

                Assert.True(expected == it.Current, $"seed {Seed + 1} round {round} target={target} expected {expected} got {it.Current}");
                current = it.Current;
            }
        }
    }

    [Fact]
    public void UniverseHoldsExactlyTheSegmentDocuments()
    {
        foreach (int n in new[] { 0, 1, 65535, 65536, 65537, 200_000 })
        {
            PostingList u = PostingList.Universe(n);
            Assert.Equal(n, u.Count);
            Assert.Equal(n > 0, u.Contains((uint)Math.Max(0, n - 1)));
            Assert.False(u.Contains((uint)n));
        }
    }

    [Fact]
    public void AddOutOfOrderIsRejected()
    {
        var list = new PostingList();
        list.Add(100_000);
        list.Add(100_000);
        Assert.Throws<ArgumentException>(() => list.Add(5));
        Assert.Equal(1, list.Count);
    }

    [Fact]
    public void CodecRoundTripsAndRejectsTruncation()
    {
        var random = new Random(Seed + 2);
        for (int round = 0; round < 30; round++)
        {
            SortedSet<uint> a = RandomSet(random, random.Next(4));
            PostingList list = Build(a);
            var sink = new ByteBuffer();
            PostingListCodec.Write(sink, list);
            byte[] bytes = sink.ToArray();
            var source = new SpanReader(bytes, "mem", 0);
            PostingList back = PostingListCodec.Read(ref source, 400_000);
            Assert.True(a.SequenceEqual(back.ToArray()), $"seed {Seed + 2} round {round}");
            Assert.Equal(bytes.Length, source.Position);

            int cut = random.Next(0, bytes.Length);
            Assert.Throws<StorageCorruptionException>(() =>
            {
                var truncated = new SpanReader(bytes.AsSpan(0, cut), "mem", 0);
                PostingListCodec.Read(ref truncated, 400_000);
            });
        }
    }

    [Fact]
    public void EncodedListsOrIntoABitsetLikeTheModel()
    {
        var random = new Random(Seed + 3);
        for (int round = 0; round < 20; round++)
        {
            var union = new SortedSet<uint>();
            var bits = new DocBitset(400_000);
            for (int k = 0; k < 3; k++)
            {
                SortedSet<uint> a = RandomSet(random, random.Next(4));
                union.UnionWith(a);
                var sink = new ByteBuffer();
                PostingListCodec.Write(sink, Build(a));
                var source = new SpanReader(sink.WrittenSpan, "mem", 0);
                PostingListCodec.OrInto(ref source, 400_000, bits);
                Assert.True(source.AtEnd, $"seed {Seed + 3} round {round}");
            }

            Assert.True(union.SequenceEqual(bits.ToPostingList().ToArray()), $"seed {Seed + 3} round {round}");
        }
    }

    [Fact]
    public void OrIntoRejectsValuesOutsideTheSegment()
    {
        var sink = new ByteBuffer();
        PostingListCodec.Write(sink, PostingList.Universe(70_000));
        var bits = new DocBitset(69_999);
        Assert.Throws<StorageCorruptionException>(() =>
        {
            var source = new SpanReader(sink.WrittenSpan, "mem", 0);
            PostingListCodec.OrInto(ref source, 69_999, bits);
        });
    }
}
