using Banyan.Grains.TopN;
using Banyan.Storage.Values;

namespace Banyan.Grains.Tests.TopN;

/// <summary>One window's ranked list of one group-by value against simple models.</summary>
public sealed class TopNCountersTests
{
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    public void With_room_for_every_series_the_list_is_the_last_value_of_each_series_best_first(bool descending, int seed)
    {
        Random random = new(seed);
        TopNCounters counters = new(capacity: 64, descending);
        Dictionary<ulong, long> last = [];
        for (int i = 0; i < 2_000; i++)
        {
            ulong series = (ulong)random.Next(64);
            long value = random.Next(-50, 50);
            counters.Put(TopNFixtures.Item(series, value));
            last[series] = value;
        }

        TopNItem[] ranked = counters.Ranked();
        Assert.Equal(last.OrderBy(p => p.Key), ranked.Select(i => new KeyValuePair<ulong, long>(i.SeriesId, i.Value.Int)).OrderBy(p => p.Key));
        Assert.True(IsBestFirst(ranked, descending));
    }

    [Theory]
    [InlineData(true, 5, 11)]
    [InlineData(false, 5, 12)]
    [InlineData(true, 1, 13)]
    [InlineData(false, 40, 14)]
    public void Counters_number_keeps_the_best_values_and_of_equal_ones_those_put_first(bool descending, int capacity, int seed)
    {
        // Each series put once: the list is the model's best `capacity` by (value, order of arrival).
        Random random = new(seed);
        TopNCounters counters = new(capacity, descending);
        List<(ulong Series, long Value)> puts = [];
        for (int i = 0; i < 500; i++)
        {
            long value = random.Next(0, 30); // many ties
            puts.Add(((ulong)i, value));
            counters.Put(TopNFixtures.Item((ulong)i, value));
            Assert.True(counters.Count <= capacity);
        }

        IEnumerable<(ulong Series, long Value)> model = (descending ? puts.OrderByDescending(p => p.Value) : puts.OrderBy(p => p.Value)).ThenBy(p => p.Series).Take(capacity);
        Assert.Equal(model, counters.Ranked().Select(i => (i.SeriesId, i.Value.Int)));
    }

    [Fact]
    public void A_newer_point_of_a_series_replaces_its_entry_even_when_it_is_worse_or_no_longer_ranks()
    {
        TopNCounters counters = new(capacity: 2, descending: true);
        counters.Put(TopNFixtures.Item(1, 10));
        counters.Put(TopNFixtures.Item(2, 20));
        counters.Put(TopNFixtures.Item(1, 5));
        Assert.Equal([(2UL, 20L), (1UL, 5L)], counters.Ranked().Select(i => (i.SeriesId, i.Value.Int)));

        // A full list: series 3 beats the worst (1 → 5) and pushes it out; then series 2 falls to 1, which no longer ranks
        // against a full list, so its entry is just removed (BanyanDB's streaming TopN does the same).
        counters.Put(TopNFixtures.Item(3, 7));
        Assert.Equal([(2UL, 20L), (3UL, 7L)], counters.Ranked().Select(i => (i.SeriesId, i.Value.Int)));
        counters.MarkClean();
        counters.Put(TopNFixtures.Item(2, 1));
        Assert.True(counters.Dirty);
        Assert.Equal([(3UL, 7L), (2UL, 1L)], counters.Ranked().Select(i => (i.SeriesId, i.Value.Int)));
    }

    [Theory]
    [InlineData(true, 1, 21, 0)]
    [InlineData(false, 3, 22, 0)]
    [InlineData(true, 10, 23, 0)]
    [InlineData(false, 25, 24, 0)]
    [InlineData(true, 100, 25, 0)] // grows from its first room
    [InlineData(false, 100, 26, 100)] // sized up front for all of it
    [InlineData(true, 200, 27, 80)] // sized for part of it, then grows
    [InlineData(false, 150, 28, 10_000)] // expected past the capacity: room for the capacity only
    public void Any_sequence_of_puts_gives_the_list_the_rules_give(bool descending, int capacity, int seed, int expectedItems)
    {
        // Series put again and again, worse or better, many ties, more series than room: after every put the list is the
        // one a plain list kept by the rules holds (the series' last point replaces its entry; a full list takes only a
        // point strictly better than its worst; past capacity the worst leaves, of equal values the one put last),
        // however much room it was given up front.
        Random random = new(seed);
        TopNCounters counters = new(capacity, descending, expectedItems);
        Assert.Equal(Math.Min(capacity, Math.Max(64, expectedItems)), counters.Room);
        List<(ulong Series, long Value, long Sequence)> model = [];
        long sequence = 0;
        for (int i = 0; i < 3_000; i++)
        {
            ulong series = (ulong)random.Next(capacity * 3);
            long value = random.Next(0, 12);
            counters.Put(TopNFixtures.Item(series, value));

            model.RemoveAll(e => e.Series == series);
            var worstFirst = model.OrderBy(e => descending ? e.Value : -e.Value).ThenByDescending(e => e.Sequence).ToList();
            if (model.Count < capacity || (descending ? value > worstFirst[0].Value : value < worstFirst[0].Value))
            {
                model.Add((series, value, ++sequence));
                if (model.Count > capacity)
                {
                    worstFirst.Add(model[^1]);
                    model.Remove(worstFirst.OrderBy(e => descending ? e.Value : -e.Value).ThenByDescending(e => e.Sequence).First());
                }
            }

            var expected = model.OrderBy(e => descending ? -e.Value : e.Value).ThenBy(e => e.Sequence).Select(e => (e.Series, e.Value));
            Assert.Equal(expected, counters.Ranked().Select(item => (item.SeriesId, item.Value.Int)));
            Assert.Equal(model.Count, counters.Count);
        }

        Assert.InRange(counters.Room, counters.Count, capacity);
    }

    [Theory]
    [InlineData(true, 10, 31, "never")]
    [InlineData(false, 40, 32, "never")]
    [InlineData(true, 10, 33, "a point without a place")]
    [InlineData(false, 40, 34, "a place of another space")]
    [InlineData(true, 10, 35, "an item read back first")]
    public void Entries_found_by_their_series_place_give_the_list_found_by_series_id(bool descending, int capacity, int seed, string turn)
    {
        // The write path gives each point its series' place among those of its group-by value (TopNSeriesOrdinal) and a
        // list finds the series' entry by it; a list fed the same points by series id alone must hold the same items after
        // every put, with series leaving a full list and coming back, and when the list turns to series ids part way: at
        // a point without a place, at a place of another space (the series tags started over), or from its first put (a
        // window seeded with what was persisted).
        Random random = new(seed);
        object space = new();
        TopNCounters byPlace = new(capacity, descending);
        TopNCounters byId = new(capacity, descending);
        if (turn == "an item read back first")
        {
            byPlace.Put(TopNFixtures.Item(0, 5));
            byId.Put(TopNFixtures.Item(0, 5));
        }

        for (int i = 0; i < 2_000; i++)
        {
            int series = random.Next(capacity * 3);
            TopNRank value = TopNRank.OfInt(random.Next(0, 12));
            TopNSeriesOrdinal place = (i, turn) switch
            {
                (1_000, "a point without a place") => default,
                ( >= 1_000, "a place of another space") => new TopNSeriesOrdinal(new object(), series),
                _ => new TopNSeriesOrdinal(space, series),
            };
            byPlace.Put((ulong)series, value, [TagValue.FromInt64(series)], null, place);
            byId.Put((ulong)series, value, [TagValue.FromInt64(series)]);
            Assert.Equal(byId.Ranked().Select(item => (item.SeriesId, item.Value)), byPlace.Ranked().Select(item => (item.SeriesId, item.Value)));
        }

        Assert.Equal(turn == "never", byPlace.FindsByPlace);
        Assert.False(byId.FindsByPlace);
    }

    [Fact]
    public void A_list_taken_before_more_puts_keeps_what_it_held()
    {
        // Entries are reused for a series put again and for a point that pushes the worst out: a list handed to a flush
        // or a query before those puts must still show the values it had.
        TopNCounters counters = new(capacity: 2, descending: true);
        counters.Put(TopNFixtures.Item(1, 10));
        counters.Put(TopNFixtures.Item(2, 20));
        TopNItem[] before = counters.Ranked();

        counters.Put(TopNFixtures.Item(2, 5)); // series 2's entry takes the new point
        counters.Put(TopNFixtures.Item(3, 30)); // the worst (series 2 at 5) leaves; its entry takes series 3

        Assert.Equal([(2UL, 20L, "e2"), (1UL, 10L, "e1")], before.Select(i => (i.SeriesId, i.Value.Int, i.Entity[0].Text)));
        Assert.Equal([(3UL, 30L, "e3"), (1UL, 10L, "e1")], counters.Ranked().Select(i => (i.SeriesId, i.Value.Int, i.Entity[0].Text)));
    }

    [Fact]
    public void Float_values_rank_numerically()
    {
        TopNCounters counters = new(capacity: 2, descending: false);
        foreach ((ulong series, double value) in new[] { (1UL, 2.5), (2UL, -0.25), (3UL, 1e10), (4UL, 0.125) })
        {
            counters.Put(new TopNItem(series, TopNRank.OfFloat(value), []));
        }

        Assert.Equal([-0.25, 0.125], counters.Ranked().Select(i => i.Value.Float));
    }

    [Theory]
    [InlineData(true, 31)]
    [InlineData(false, 32)]
    [InlineData(true, 33)]
    [InlineData(false, 34)]
    public void Float_lists_rank_as_double_comparison_does_with_ties_signed_zeros_infinities_and_nan(bool descending, int seed)
    {
        // The ranking sorts by keys made of the values' bits: against a model ordered by TopNRank.CompareTo (-0.0 equal to
        // 0.0, every NaN equal and below everything), the older entry first among equal values.
        double[] pool = [double.NaN, -double.NaN, double.NegativeInfinity, double.PositiveInfinity, -0.0, 0.0, -1.5, 1.5, 2.25, -2.25, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon, 1e-300, -1e300];
        Random random = new(seed);
        for (int round = 0; round < 200; round++)
        {
            int capacity = random.Next(1, 40);
            TopNCounters counters = new(capacity, descending);
            Dictionary<ulong, (TopNRank Value, long Sequence)> model = [];
            long sequence = 0;
            for (int i = 0; i < capacity; i++)
            {
                // Room for every series, and each put once: the list is every point, ranked.
                TopNRank value = TopNRank.OfFloat(random.Next(3) == 0 ? random.Next(-3, 4) * 0.5 : pool[random.Next(pool.Length)]);
                counters.Put(new TopNItem((ulong)i, value, []));
                model[(ulong)i] = (value, ++sequence);
            }

            IEnumerable<ulong> expected = model.OrderBy(e => e.Value.Value, Comparer<TopNRank>.Create((x, y) => descending ? y.CompareTo(x) : x.CompareTo(y)))
                .ThenBy(e => e.Value.Sequence).Select(e => e.Key);
            Assert.Equal(expected, counters.Ranked().Select(item => item.SeriesId));
        }
    }

    [Fact]
    public void A_list_mixing_int_and_float_values_still_ranks_numerically()
    {
        // One aggregation never writes both, but a list read back from another revision could hold both: such a list is
        // ranked by comparing the values, not by the keys of one type.
        TopNCounters counters = new(capacity: 8, descending: true);
        counters.Put(new TopNItem(1, TopNRank.OfInt(3), []));
        counters.Put(new TopNItem(2, TopNRank.OfFloat(3.5), []));
        counters.Put(new TopNItem(3, TopNRank.OfInt(-1), []));
        counters.Put(new TopNItem(4, TopNRank.OfFloat(2.5), []));

        Assert.Equal([2UL, 1UL, 4UL, 3UL], counters.Ranked().Select(i => i.SeriesId));
    }

    [Theory]
    [InlineData(true, 4, 31)]
    [InlineData(false, 7, 32)]
    public void A_full_list_mixing_int_and_float_values_lets_the_numerically_worst_leave(bool descending, int capacity, int seed)
    {
        // The heap orders entries by keys of one kind of value; a list that holds both kinds must still find its worst
        // entry by value (3 beats 2.5, though 2.5's bits are the larger number), or a full list drops the wrong entry.
        Random random = new(seed);
        AssertFullListFollowsTheRules(descending, capacity, random, () =>
        {
            long whole = random.Next(-6, 6);
            return random.Next(2) == 0 ? TopNRank.OfFloat(whole + 0.5) : TopNRank.OfInt(whole);
        });
    }

    [Theory]
    [InlineData(true, 5, 41)]
    [InlineData(false, 9, 42)]
    public void A_full_float_list_lets_the_worst_leave_as_double_comparison_orders_them(bool descending, int capacity, int seed)
    {
        // The heap's keys are the values' bits made comparable: -0.0 and 0.0 tie, every NaN ties and is worst of all in
        // a top list, infinities at the ends; ties leave newest first.
        double[] pool = [double.NaN, -double.NaN, double.NegativeInfinity, double.PositiveInfinity, -0.0, 0.0, -1.5, 1.5, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon];
        Random random = new(seed);
        AssertFullListFollowsTheRules(descending, capacity, random, () => TopNRank.OfFloat(pool[random.Next(pool.Length)]));
    }

    // Puts values from next() for series chosen at random among three times the capacity; after every put the list is
    // the one a plain list kept by the rules holds, values compared by TopNRank.CompareTo.
    private static void AssertFullListFollowsTheRules(bool descending, int capacity, Random random, Func<TopNRank> next)
    {
        Comparer<TopNRank> better = Comparer<TopNRank>.Create((x, y) => descending ? y.CompareTo(x) : x.CompareTo(y));
        TopNCounters counters = new(capacity, descending);
        List<(ulong Series, TopNRank Value, long Sequence)> model = [];
        long sequence = 0;
        for (int i = 0; i < 2_000; i++)
        {
            ulong series = (ulong)random.Next(capacity * 3);
            TopNRank value = next();
            counters.Put(new TopNItem(series, value, []));

            model.RemoveAll(e => e.Series == series);
            var worstFirst = model.OrderByDescending(e => e.Value, better).ThenByDescending(e => e.Sequence).ToList();
            if (model.Count < capacity || better.Compare(value, worstFirst[0].Value) < 0)
            {
                model.Add((series, value, ++sequence));
                if (model.Count > capacity)
                {
                    model.Remove(model.OrderByDescending(e => e.Value, better).ThenByDescending(e => e.Sequence).First());
                }
            }

            var expected = model.OrderBy(e => e.Value, better).ThenBy(e => e.Sequence).Select(e => e.Series);
            Assert.Equal(expected, counters.Ranked().Select(item => item.SeriesId));
        }
    }

    [Fact]
    public void Ranked_items_carry_the_entity_bytes_their_points_brought()
    {
        TopNCounters counters = new(capacity: 2, descending: true);
        byte[] first = [1, 2, 3];
        byte[] second = [4, 5];
        counters.Put(1, TopNRank.OfInt(10), [], first);
        counters.Put(2, TopNRank.OfInt(20), [], null);
        Assert.Equal([null, first], counters.Ranked().Select(i => i.EntityBytes));

        counters.Put(2, TopNRank.OfInt(5), [], second); // series 2 again: its entry takes the new point's bytes
        counters.Put(3, TopNRank.OfInt(30), [], null); // a full list: the worst (series 2) leaves, its entry takes series 3
        Assert.Equal([null, first], counters.Ranked().Select(i => i.EntityBytes));
        Assert.Equal([3UL, 1UL], counters.Ranked().Select(i => i.SeriesId));
    }

    [Theory]
    [InlineData(true, false, 4)]
    [InlineData(false, false, 5)]
    [InlineData(true, true, 6)]
    public void A_list_encoded_from_its_slots_gives_the_bytes_of_its_ranked_items(bool descending, bool isFloat, int seed)
    {
        // A flush encodes a list from its slots (RankSlots), a query reads it as items (Ranked): the same entries, in the
        // same order, to the byte, with and without the entities' ranks, once the list is full and entries have left.
        Random random = new(seed);
        TopNEntityOrder order = new();
        TopNCounters counters = new(capacity: 50, descending);
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 60; i++)
            {
                ulong series = (ulong)random.Next(1, 120);
                TagValue[] entity = [TagValue.FromString("svc-" + (series % 7)), TagValue.FromInt64((long)series)];
                byte[]? bytes = random.Next(5) == 0 ? null : TopNResultCodec.EntityBytes(entity);
                if (bytes is not null)
                {
                    order.Add(bytes);
                }

                TopNRank value = isFloat ? TopNRank.OfFloat(random.Next(-100, 100) / 4.0) : TopNRank.OfInt(random.Next(-100, 100));
                counters.Put(series, value, entity, bytes);
            }

            TopNItem[] items = counters.Ranked();
            TopNCounters.RankedSlots slots = counters.RankSlots();
            Assert.Equal(items.Select(i => (i.Value, i.EntityBytes)), Enumerable.Range(0, slots.Count).Select(i => (slots.ValueAt(i), slots.EntityBytesAt(i))));
            Assert.Equal(items.Select(i => i.Entity), Enumerable.Range(0, slots.Count).Select(slots.EntityAt));
            Assert.Equal(Convert.ToHexString(TopNResultCodec.Encode(items, isFloat)), Convert.ToHexString(TopNResultCodec.Encode(slots, isFloat)));
            Assert.Equal(Convert.ToHexString(TopNResultCodec.Encode(items, isFloat, order)), Convert.ToHexString(TopNResultCodec.Encode(slots, isFloat, order)));
        }

        Assert.Equal(50, counters.Count);
    }

    private static bool IsBestFirst(TopNItem[] items, bool descending)
    {
        for (int i = 1; i < items.Length; i++)
        {
            int c = items[i - 1].Value.CompareTo(items[i].Value);
            if (descending ? c < 0 : c > 0)
            {
                return false;
            }
        }

        return true;
    }
}
