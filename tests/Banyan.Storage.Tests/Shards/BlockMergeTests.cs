using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards;

/// <summary>
/// <see cref="BlockMerge"/> against a model: the blocks of random disk and memory parts (several blocks per series,
/// series and times interleaved across parts, some parts equal so that blocks tie) merged for random filters must come
/// out as the parts' <see cref="IPartReader.FindBlocks"/> lists concatenated and sorted stably by (series, min
/// timestamp), that is with ties in part order, oldest part first; and when they all lie in one part, that part's list
/// (<see cref="BlockMerge.TryOnePart"/>) holds the same blocks in the same order.
/// </summary>
public sealed class BlockMergeTests
{
    private static readonly PartWriterOptions s_options = PartWriterOptions.Default with { MaxMeasureRowsPerBlock = 3, PrimaryChunkBytes = 150, Fsync = false };

    private static WriteBatch RandomBatch(Random random, int rows)
    {
        WriteBatch batch = new(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        for (int r = 0; r < rows; r++)
        {
            batch.AddRow((ulong)random.Next(1, 7), random.Next(0, 200), 1, [ColumnValue.FromInt64(random.Next(1000))]);
        }

        return batch;
    }

    private static List<(BlockHeader Header, int Part)> Expected(List<IPartReader> parts, SeriesTimeFilter filter)
    {
        var all = new List<(BlockHeader Header, int Part)>();
        for (int p = 0; p < parts.Count; p++)
        {
            var found = new List<BlockHeader>();
            parts[p].FindBlocks(filter, found);
            all.AddRange(found.Select(h => (h, p)));
        }

        return [.. all.OrderBy(b => b.Header.SeriesId).ThenBy(b => b.Header.MinTimestamp)];
    }

    private static List<(BlockHeader Header, int Part)> Merged(List<IPartReader> parts, SeriesTimeFilter filter)
    {
        var merged = new List<(BlockHeader Header, int Part)>();
        using BlockMerge blocks = BlockMerge.Start(parts, filter);

        // Blocks found in one part only may be walked straight from that part's list: the same blocks in the same order.
        bool onePart = blocks.TryOnePart(out List<BlockHeader>? ofOnePart, out int part);
        List<(BlockHeader Header, int Part)>? straight = onePart ? [.. ofOnePart!.Select(h => (h, part))] : null;
        for (; blocks.HasCurrent; blocks.Advance())
        {
            merged.Add((blocks.Current, blocks.CurrentPart));
            if (merged.Count == 2)
            {
                Assert.False(blocks.TryOnePart(out _, out _), "a merge that has moved offers no part's list");
            }
        }

        Assert.Equal(merged.Select(b => b.Part).Distinct().Count() == 1, onePart);
        if (onePart)
        {
            Assert.Equal(merged, straight);
        }

        return merged;
    }

    [Fact]
    public void Merged_blocks_are_the_parts_blocks_sorted_stably_by_series_and_time()
    {
        using TempDirectory temp = new();
        var random = new Random(7);
        for (int trial = 0; trial < 60; trial++)
        {
            // 0 to 6 parts, each on disk or in memory; a part is sometimes a copy of the one before, so blocks tie.
            var parts = new List<IPartReader>();
            try
            {
                int count = random.Next(7);
                MemoryPart? previous = null;
                for (int p = 0; p < count; p++)
                {
                    MemoryPart memory = previous is not null && random.Next(4) == 0 ? previous : MemoryPart.Build(RandomBatch(random, random.Next(1, 60)), s_options);
                    previous = memory;
                    if (random.Next(2) == 0)
                    {
                        parts.Add(memory);
                        continue;
                    }

                    string folder = Path.Combine(temp.Path, $"{trial}-{p}");
                    memory.WriteTo(folder, s_options);
                    parts.Add(PartReader.Open(folder));
                }

                foreach (SeriesTimeFilter filter in Filters(random))
                {
                    List<(BlockHeader Header, int Part)> expected = Expected(parts, filter);
                    List<(BlockHeader Header, int Part)> actual = Merged(parts, filter);
                    Assert.True(expected.Count == actual.Count, $"trial {trial}, {parts.Count} parts: {actual.Count} blocks merged, {expected.Count} expected");
                    for (int i = 0; i < expected.Count; i++)
                    {
                        Assert.True(ReferenceEquals(expected[i].Header, actual[i].Header) && expected[i].Part == actual[i].Part,
                            $"trial {trial}, block {i}: part {actual[i].Part} series {actual[i].Header.SeriesId} at {actual[i].Header.MinTimestamp}, expected part {expected[i].Part} series {expected[i].Header.SeriesId} at {expected[i].Header.MinTimestamp}");
                    }
                }
            }
            finally
            {
                foreach (IPartReader part in parts)
                {
                    part.Dispose();
                }
            }
        }
    }

    // Every series and all time; a few series and a window; one series; a window where no part has rows.
    private static IEnumerable<SeriesTimeFilter> Filters(Random random)
    {
        yield return SeriesTimeFilter.All;
        long from = random.Next(0, 150);
        yield return new SeriesTimeFilter([.. Enumerable.Range(1, 6).Where(_ => random.Next(2) == 0).Select(s => (ulong)s)], from, from + random.Next(60));
        yield return new SeriesTimeFilter([(ulong)random.Next(1, 7)], 0, 199);
        yield return new SeriesTimeFilter(null, 500, 600);
    }

    [Fact]
    public void A_merge_ends_at_once_without_parts_or_blocks_and_is_reused_after_one_with_more_parts()
    {
        MemoryPart part = MemoryPart.Build(RandomBatch(new Random(3), 40), s_options);
        List<IPartReader> many = [part, part, part, part, part, part, part, part, part];
        Assert.Equal(Expected(many, SeriesTimeFilter.All), Merged(many, SeriesTimeFilter.All));
        Assert.Empty(Merged([], SeriesTimeFilter.All));
        Assert.Empty(Merged([part, part], new SeriesTimeFilter(null, 500, 600)));
        Assert.Equal(Expected([part], SeriesTimeFilter.All), Merged([part], SeriesTimeFilter.All));
    }
}
