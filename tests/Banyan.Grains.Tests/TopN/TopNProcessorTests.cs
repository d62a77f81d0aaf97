using Banyan.Grains.TopN;
using static Banyan.Grains.Tests.TopN.TopNFixtures;

namespace Banyan.Grains.Tests.TopN;

/// <summary>Tumbling windows, group-by lists, LRU eviction, late points and seeding of one processor.</summary>
public sealed class TopNProcessorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_points_land_in_the_window_of_their_timestamp_and_the_list_of_their_group(int seed)
    {
        // Model: the last value of each series per (window, group), all windows open, lists large enough.
        Random random = new(seed);
        TopNProcessor processor = new(Definition(counters: 1000, lru: 100), descending: true);
        Dictionary<(long Window, string Group), Dictionary<ulong, long>> model = [];
        long origin = 1_700_000_000L * 1_000_000_000L / Minute * Minute;
        for (int i = 0; i < 3_000; i++)
        {
            long timestamp = origin + random.NextInt64(0, 20 * Minute);
            string group = "g" + random.Next(3);
            ulong series = (ulong)random.Next(30);
            long value = random.Next(1_000);
            Assert.Null(processor.Put(Point(timestamp, group, series, value), seedNewWindows: false));
            long window = timestamp - (timestamp % Minute);
            if (!model.TryGetValue((window, group), out Dictionary<ulong, long>? list))
            {
                model[(window, group)] = list = [];
            }

            list[series] = value;
        }

        Dictionary<(long, string), TopNSnapshot> actual = processor.Snapshots(long.MinValue, long.MaxValue, null).ToDictionary(s => (s.WindowStart, s.GroupKey));
        Assert.Equal(model.Keys.Order(), actual.Keys.Order());
        foreach (((long window, string group), Dictionary<ulong, long> list) in model)
        {
            TopNItem[] items = actual[(window, group)].Items;
            Assert.Equal(list.OrderByDescending(p => p.Value).Select(p => p.Value), items.Select(i => i.Value.Int));
            Assert.Equal(list.OrderBy(p => p.Key), items.Select(i => new KeyValuePair<ulong, long>(i.SeriesId, i.Value.Int)).OrderBy(p => p.Key));
        }

        // One group and a sub-range select part of it.
        Assert.All(processor.Snapshots(origin, origin + (5 * Minute), "g1"), s => Assert.True(s.GroupKey == "g1" && s.WindowStart <= origin + (5 * Minute)));
        Assert.Equal(DroppedNone, processor.DroppedLate);
    }

    [Fact]
    public void The_room_a_group_by_value_had_is_forgotten_once_no_window_holds_the_value()
    {
        TopNProcessor processor = new(Definition(counters: 300, lru: 2), descending: true);
        for (ulong series = 0; series < 200; series++)
        {
            processor.Put(Point(0, "g", series, (long)series), false);
        }

        // Windows of another value only: "g"'s window is evicted, flushed and let go, and so is its room.
        for (int w = 1; w <= 6; w++)
        {
            processor.Put(Point(w * Minute, "k", 1, 1), false);
            processor.TakeDirty();
            processor.FlushSucceeded();
        }

        Assert.DoesNotContain(processor.Windows, w => w.Groups.ContainsKey("g"));
        processor.Put(Point(7 * Minute, "g", 1, 1), false);
        Assert.Equal(64, processor.Windows.Single(w => w.Start == 7 * Minute).Groups["g"].Room);
    }

    [Fact]
    public void A_new_windows_lists_start_with_room_for_the_most_their_group_held_in_a_window()
    {
        TopNProcessor processor = new(Definition(counters: 300, lru: 10), descending: true);
        for (ulong series = 0; series < 200; series++)
        {
            processor.Put(Point(0, "g", series, (long)series), false);
        }

        processor.Put(Point(0, "h", 1, 1), false);

        // The next window's lists are sized as each group-by value's largest list of the windows before: "g" for its
        // 200 items, "h" (one item) at the lists' first room, and a value no window had there too.
        processor.Put(Point(Minute, "g", 1, 1), false);
        processor.Put(Point(Minute, "h", 1, 1), false);
        processor.Put(Point(Minute, "k", 1, 1), false);
        TopNWindow second = processor.Windows.Single(w => w.Start == Minute);
        Assert.Equal(200, second.Groups["g"].Room);
        Assert.Equal(64, second.Groups["h"].Room);
        Assert.Equal(64, second.Groups["k"].Room);

        // A window opened while the one before is still filling (one item of "g" so far: writers behind in time put into
        // it later) takes its room from the fuller window before that, not from the partial one; the first window grew.
        processor.Put(Point(2 * Minute, "g", 1, 1), false);
        Assert.Equal(200, processor.Windows.Single(w => w.Start == 2 * Minute).Groups["g"].Room);
        Assert.Equal(256, processor.Windows.Single(w => w.Start == 0).Groups["g"].Room);

        // The most a list held is remembered while a window holds its group-by value, also once the window that held the
        // most is far behind the last opened; a flush raises it from every window (here "h", which grew in an earlier one).
        for (int w = 3; w <= 6; w++)
        {
            processor.Put(Point(w * Minute, "g", 1, 1), false);
        }

        for (ulong series = 0; series < 100; series++)
        {
            processor.Put(Point(Minute, "h", series, (long)series), false);
        }

        processor.Put(Point(7 * Minute, "g", 1, 1), false);
        Assert.Equal(200, processor.Windows.Single(w => w.Start == 7 * Minute).Groups["g"].Room);
        processor.TakeDirty();
        processor.Put(Point(8 * Minute, "h", 1, 1), false);
        Assert.Equal(100, processor.Windows.Single(w => w.Start == 8 * Minute).Groups["h"].Room);
    }

    [Fact]
    public void Beyond_lru_size_the_least_recently_used_window_goes_once_its_lists_are_persisted()
    {
        TopNProcessor processor = new(Definition(lru: 2), descending: true);
        processor.Put(Point(0, "g", 1, 10), false);
        processor.Put(Point(Minute, "g", 1, 20), false);
        processor.Put(Point(0, "g", 2, 30), false); // window 0 used again: window 1 minute is now the least recent
        processor.Put(Point(2 * Minute, "g", 1, 40), false);

        // Window 1m was evicted but holds an unpersisted list: it stays (and answers) until a flush wrote it.
        Assert.Equal([0L, Minute, 2 * Minute], processor.Windows.Select(w => w.Start).Order());
        Assert.True(processor.Windows.Single(w => w.Start == Minute).Evicting);
        List<TopNEncodedList> flushed = processor.TakeDirty();
        Assert.Equal([0L, Minute, 2 * Minute], flushed.Select(s => s.WindowStart).Order());
        processor.FlushSucceeded();
        Assert.Equal([0L, 2 * Minute], processor.Windows.Select(w => w.Start).Order());

        // A failed flush keeps the lists for the next one.
        processor.Put(Point(2 * Minute, "g", 2, 50), false);
        List<TopNEncodedList> failed = processor.TakeDirty();
        Assert.Single(failed);
        Assert.Empty(processor.TakeDirty());
        processor.FlushFailed(failed);
        Assert.Equal(failed.Select(s => (s.WindowStart, s.GroupKey)), processor.TakeDirty().Select(s => (s.WindowStart, s.GroupKey)));

        // A clean window evicted goes at once.
        processor.FlushSucceeded();
        processor.Put(Point(3 * Minute, "g", 1, 60), false);
        Assert.Equal([2 * Minute, 3 * Minute], processor.Windows.Select(w => w.Start).Order());
    }

    [Fact]
    public void A_point_of_a_closed_window_behind_the_watermark_is_dropped_as_late_while_lru_size_windows_are_open()
    {
        TopNProcessor processor = new(Definition(lru: 2), descending: true);
        processor.Put(Point(Minute, "g", 1, 1), false);
        processor.Put(Point(2 * Minute, "g", 1, 1), false);
        processor.Put(Point(3 * Minute, "g", 1, 1), false);
        processor.TakeDirty();
        processor.FlushSucceeded();

        processor.Put(Point(Minute + 5, "g", 2, 99), false);
        Assert.Equal(1, processor.DroppedLate);
        Assert.DoesNotContain(processor.Snapshots(long.MinValue, long.MaxValue, null), s => s.WindowStart == Minute);

        // Open windows still take late points.
        processor.Put(Point((2 * Minute) + 5, "g", 2, 99), false);
        Assert.Contains(processor.Snapshots(2 * Minute, 2 * Minute, "g").Single().Items, i => i.SeriesId == 2);
    }

    [Fact]
    public void A_window_being_seeded_queues_its_points_and_applies_them_after_the_persisted_lists()
    {
        TopNProcessor processor = new(Definition(counters: 2), descending: true);
        TopNWindow? window = processor.Put(Point(0, "a", 1, 5), seedNewWindows: true);
        Assert.NotNull(window);
        Assert.True(window.IsSeeding);
        Assert.Null(processor.Put(Point(1, "a", 2, 7), seedNewWindows: true));
        Assert.Empty(processor.Snapshots(long.MinValue, long.MaxValue, null));
        Assert.Empty(processor.TakeDirty());

        // Persisted: "a" had series 1 at 50 and 3 at 40; "b" had series 4 at 1. The queued points come after: series 1
        // falls to 5, series 2 (7) enters the full list of two and pushes out the worst (series 1).
        window.Seed([new TopNSnapshot(0, "a", [Item(1, 50), Item(3, 40)]), new TopNSnapshot(0, "b", [Item(4, 1)])]);
        Assert.False(window.IsSeeding);
        Dictionary<string, TopNSnapshot> lists = processor.Snapshots(long.MinValue, long.MaxValue, null).ToDictionary(s => s.GroupKey);
        Assert.Equal([(3UL, 40L), (2UL, 7L)], lists["a"].Items.Select(i => (i.SeriesId, i.Value.Int)));
        Assert.Equal([(4UL, 1L)], lists["b"].Items.Select(i => (i.SeriesId, i.Value.Int)));

        // Only the list the queued points changed is written again.
        Assert.Equal(["a"], processor.TakeDirty().Select(s => s.GroupKey));
    }

    [Fact]
    public void Windows_are_aligned_to_the_epoch_also_before_it()
    {
        TopNDefinition definition = Definition();
        Assert.Equal(0, definition.WindowStart(Minute - 1));
        Assert.Equal(Minute, definition.WindowStart(Minute));
        Assert.Equal(-Minute, definition.WindowStart(-1));
    }

    private const long DroppedNone = 0;
}
