using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// The decoded-block cache on its own: what a read returns, the byte bound, which entries eviction keeps (a block read
/// again since the walk last passed it survives one more pass), <see cref="DecodedBlockCache.Forget"/>, and many threads
/// reading while entries come and go.
/// </summary>
public sealed class DecodedBlockCacheTests : IDisposable
{
    private static readonly PartWriterOptions s_smallBlocks = new() { MaxMeasureRowsPerBlock = 37, MaxBlockBytes = 16 << 10 };
    private static readonly ColumnProjection s_intOnly = ColumnProjection.Of(["f_int"], []);

    private readonly TempDirectory _temp = new();
    private readonly PartReader _part;
    private readonly List<BlockHeader> _headers = [];

    public DecodedBlockCacheTests()
    {
        // The first seed from 7 on whose rows make at least 20 blocks (the generator draws the row count too).
        RandomRows rows = Enumerable.Range(7, 100).Select(seed => new RandomRows(seed, DataKind.Measure, maxRows: 3000)).First(r => r.Rows.Count >= 1500);
        using MemoryPart memory = MemoryPart.Build(rows.ToBatch(false), s_smallBlocks);
        memory.WriteTo(_temp.Sub("p"), s_smallBlocks);
        _part = PartReader.Open(_temp.Sub("p"));
        _part.FindBlocks(new SeriesTimeFilter([.. rows.Rows.Select(r => r.SeriesId).Distinct().Order()], long.MinValue, long.MaxValue), _headers);
        Assert.True(_headers.Count >= 20, $"{_headers.Count} blocks");
    }

    public void Dispose()
    {
        _part.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void A_read_returns_the_block_as_the_part_decodes_it_and_the_second_read_the_same_object()
    {
        DecodedBlockCache cache = new(64 << 20);
        var scratch = new DecodeScratch();
        foreach (BlockHeader header in _headers)
        {
            Block first = cache.ReadField(_part, header, "f_int", s_intOnly, scratch);
            var direct = new Block();
            _part.ReadBlock(header, s_intOnly, direct, scratch);
            Assert.Equal(direct.Timestamps.ToArray(), first.Timestamps.ToArray());
            Assert.Equal(Values(direct), Values(first));
            Assert.Same(first, cache.ReadField(_part, header, "f_int", s_intOnly, scratch));
        }

        Assert.Equal((_headers.Count, (long)_headers.Count, (long)_headers.Count), (cache.Count, cache.Hits, cache.Misses));
        Assert.Equal(_headers.Sum(h => EntryBytes(h)), cache.Bytes);
    }

    // A block header keeps the entry last found for it, so the cases its slot must not answer: another field of the same
    // block (read in turn, each field's own block), and another cache reading the same header (each its own entries).
    [Fact]
    public void Two_fields_of_a_block_and_two_caches_over_one_header_each_get_their_own_block()
    {
        ColumnProjection floatOnly = ColumnProjection.Of(["f_float"], []);
        DecodedBlockCache one = new(64 << 20);
        DecodedBlockCache other = new(64 << 20);
        var scratch = new DecodeScratch();
        foreach (BlockHeader header in _headers)
        {
            Block ints = one.ReadField(_part, header, "f_int", s_intOnly, scratch);
            Block floats = one.ReadField(_part, header, "f_float", floatOnly, scratch);
            Block elsewhere = other.ReadField(_part, header, "f_int", s_intOnly, scratch);
            Assert.NotSame(ints, floats);
            Assert.NotSame(ints, elsewhere);
            for (int round = 0; round < 2; round++)
            {
                Assert.Same(ints, one.ReadField(_part, header, "f_int", s_intOnly, scratch));
                Assert.Same(floats, one.ReadField(_part, header, "f_float", floatOnly, scratch));
                Assert.Same(elsewhere, other.ReadField(_part, header, "f_int", s_intOnly, scratch));
            }

            Assert.NotNull(floats.FindColumn(null, "f_float"));
            Assert.Null(floats.FindColumn(null, "f_int"));
            Assert.Equal(Values(ints), Values(elsewhere));
        }

        int blocks = _headers.Count;
        Assert.Equal((2 * blocks, 4L * blocks, 2L * blocks), (one.Count, one.Hits, one.Misses));
        Assert.Equal((blocks, 2L * blocks, (long)blocks), (other.Count, other.Hits, other.Misses));
    }

    [Fact]
    public void Eviction_keeps_the_bound_and_spares_a_block_read_since_the_walk_last_passed_it()
    {
        var scratch = new DecodeScratch();
        long three = _headers.Take(3).Sum(h => EntryBytes(h));
        DecodedBlockCache cache = new(three);

        // Blocks 0, 1, 2 fill the cache; 0 is read again, so adding 3 passes it over and evicts 1, the oldest unused.
        for (int i = 0; i < 3; i++)
        {
            cache.ReadField(_part, _headers[i], "f_int", s_intOnly, scratch);
        }

        cache.ReadField(_part, _headers[0], "f_int", s_intOnly, scratch);
        cache.ReadField(_part, _headers[3], "f_int", s_intOnly, scratch);
        Assert.InRange(cache.Bytes, 0, three);
        Assert.True(IsCached(cache, _headers[0], scratch), "block 0 was read again and must survive one more pass");
        Assert.False(IsCached(cache, _headers[1], scratch), "block 1 was the oldest not read again");

        // Every block in turn: never over the bound.
        foreach (BlockHeader header in _headers)
        {
            cache.ReadField(_part, header, "f_int", s_intOnly, scratch);
            Assert.InRange(cache.Bytes, 0, three);
        }
    }

    [Fact]
    public void Forget_drops_the_parts_entries_and_later_reads_decode_again()
    {
        var scratch = new DecodeScratch();
        DecodedBlockCache cache = new(64 << 20);
        for (int round = 0; round < 3; round++)
        {
            foreach (BlockHeader header in _headers)
            {
                cache.ReadField(_part, header, "f_int", s_intOnly, scratch);
            }

            Assert.Equal(_headers.Count, cache.Count);
            cache.Forget(_part);
            Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
        }

        Assert.Equal(3L * _headers.Count, cache.Misses);
        Assert.Equal(0L, cache.Hits);
    }

    [Fact]
    public async Task Many_threads_reading_while_entries_are_evicted_and_forgotten_get_the_right_blocks()
    {
        Dictionary<BlockHeader, long[]> expected = [];
        var direct = new Block();
        var scratch = new DecodeScratch();
        foreach (BlockHeader header in _headers)
        {
            _part.ReadBlock(header, s_intOnly, direct, scratch);
            expected[header] = direct.Timestamps.ToArray();
        }

        long capacity = _headers.Take(_headers.Count / 3).Sum(h => EntryBytes(h));
        DecodedBlockCache cache = new(capacity);
        using var stop = new CancellationTokenSource();
        Task forgetting = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                cache.Forget(_part);
                Thread.Yield();
            }
        });
        Task[] readers = [.. Enumerable.Range(0, 4).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            var own = new DecodeScratch();
            for (int i = 0; i < 20_000; i++)
            {
                BlockHeader header = _headers[random.Next(_headers.Count)];
                Block block = cache.ReadField(_part, header, "f_int", s_intOnly, own);
                Assert.Equal(expected[header], block.Timestamps.ToArray());
                Assert.InRange(cache.Bytes, 0, capacity);
            }
        }))];
        await Task.WhenAll(readers);
        await stop.CancelAsync();
        await forgetting;
        Assert.Equal(80_000L, cache.Hits + cache.Misses);
        Assert.True(cache.Hits > 0, "some reads were answered from the cache");
        cache.Forget(_part);
        Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
    }

    // What the cache counts for one entry: the block's decoded bytes plus its fixed overhead (512).
    private long EntryBytes(BlockHeader header)
    {
        var block = new Block();
        _part.ReadBlock(header, s_intOnly, block, new DecodeScratch());
        return block.UncompressedSize + 512;
    }

    private bool IsCached(DecodedBlockCache cache, BlockHeader header, DecodeScratch scratch)
    {
        long hits = cache.Hits;
        cache.ReadField(_part, header, "f_int", s_intOnly, scratch);
        return cache.Hits > hits;
    }

    private static long?[] Values(Block block)
    {
        ColumnBuffer column = block.FindColumn(null, "f_int")!;
        return [.. Enumerable.Range(0, block.Timestamps.Length).Select(i => column.IsNull(i) ? (long?)null : column.GetInt64(i))];
    }
}
