using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;

namespace Banyan.Storage.Shards;

/// <summary>
/// The blocks of a read's parts that match a filter, in (series id, min timestamp) order, ties in part order (oldest
/// part first): a k-way merge of the parts' <see cref="IPartReader.FindBlocks"/> lists, each already in that order,
/// with a binary heap of the parts' next blocks. Sorting the lists' concatenation instead, on every request, was about
/// a fifth of the query time of the peer benchmark's SUM and COUNT queries (docs/benchmarks.md, Q2). One part's list
/// is walked as it is. Used as a cursor: <see cref="HasCurrent"/>, <see cref="Current"/>, <see cref="Advance"/>.
/// </summary>
/// <remarks>
/// One instance per thread is reused (<see cref="Start"/>, then <see cref="Dispose"/>), so a request allocates
/// nothing here once the lists have grown. The user must not await between the two: the instance belongs to the
/// thread.
/// </remarks>
internal sealed class BlockMerge : IDisposable
{
    // A list that grew past this many headers is dropped when the merge is returned, so that one read of a whole
    // shard does not keep its lists on every thread that ran one.
    private const int MaxKeptHeaders = 4096;

    [ThreadStatic]
    private static BlockMerge? s_cached;

    // Per part (of the parts given to Start): its blocks, and the index of its next block in them.
    private readonly List<List<BlockHeader>> _found = [];
    private int[] _next = new int[4];

    // The parts with blocks left, a binary min-heap on (next block's series, its min timestamp, part index).
    private int[] _heap = new int[4];
    private int _heapCount;
    private int _parts;
    private bool _moved; // Advance was called since Start

    private BlockMerge()
    {
    }

    /// <summary>Whether a block is current: false once every part's blocks have been passed.</summary>
    public bool HasCurrent => _heapCount > 0;

    /// <summary>The current block (valid while <see cref="HasCurrent"/>).</summary>
    public BlockHeader Current => _found[_heap[0]][_next[_heap[0]]];

    /// <summary>The index of the current block's part in the list given to <see cref="Start"/>.</summary>
    public int CurrentPart => _heap[0];

    /// <summary>Finds the blocks of each of <paramref name="parts"/> in <paramref name="filter"/> and stands on the first one.</summary>
    public static BlockMerge Start(List<IPartReader> parts, SeriesTimeFilter filter)
    {
        BlockMerge merge = s_cached ?? new BlockMerge();
        s_cached = null;
        merge.Fill(parts, filter);
        return merge;
    }

    /// <summary>
    /// Right after <see cref="Start"/>: when every block found lies in one part, that part's blocks in (series, min
    /// timestamp) order and its index, which a caller may walk itself instead of through the merge (a part's blocks
    /// need no merging); false when the blocks lie in several parts, or in none, or the merge has moved.
    /// </summary>
    public bool TryOnePart([NotNullWhen(true)] out List<BlockHeader>? blocks, out int part)
    {
        if (_heapCount == 1 && !_moved)
        {
            part = _heap[0];
            blocks = _found[part];
            return true;
        }

        blocks = null;
        part = -1;
        return false;
    }

    /// <summary>Moves to the next block in (series, min timestamp, part) order.</summary>
    public void Advance()
    {
        Debug.Assert(_heapCount > 0, "Advance past the last block (bug in the caller)");
        _moved = true;
        int part = _heap[0];
        List<BlockHeader> blocks = _found[part];
        int next = ++_next[part];
        if (next == blocks.Count)
        {
            _heap[0] = _heap[--_heapCount];
        }
        else
        {
            Debug.Assert(InOrder(blocks[next - 1], blocks[next]), "FindBlocks returned blocks out of (series, min timestamp) order");
        }

        SiftDown(0);
    }

    /// <summary>Lets go of the blocks (a memory part's header holds its block) and keeps the instance for the thread's next read.</summary>
    public void Dispose()
    {
        for (int p = 0; p < _parts; p++)
        {
            if (_found[p].Capacity > MaxKeptHeaders)
            {
                _found[p] = [];
            }
            else
            {
                _found[p].Clear();
            }
        }

        _parts = 0;
        _heapCount = 0;
        s_cached = this;
    }

    private void Fill(List<IPartReader> parts, SeriesTimeFilter filter)
    {
        _parts = parts.Count;
        _heapCount = 0;
        _moved = false;
        if (_next.Length < _parts)
        {
            _next = new int[_parts];
            _heap = new int[_parts];
        }

        for (int p = 0; p < _parts; p++)
        {
            if (p == _found.Count)
            {
                _found.Add([]);
            }

            parts[p].FindBlocks(filter, _found[p]);
            _next[p] = 0;
            if (_found[p].Count > 0)
            {
                _heap[_heapCount++] = p;
            }
        }

        for (int i = (_heapCount / 2) - 1; i >= 0; i--)
        {
            SiftDown(i);
        }
    }

    private void SiftDown(int i)
    {
        int part = _heap[i];
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= _heapCount)
            {
                break;
            }

            if (child + 1 < _heapCount && Before(_heap[child + 1], _heap[child]))
            {
                child++;
            }

            if (!Before(_heap[child], part))
            {
                break;
            }

            _heap[i] = _heap[child];
            i = child;
        }

        _heap[i] = part;
    }

    // Whether part a's next block comes before part b's: by series, then min timestamp, then the older part (lower
    // index) first, as the shard's overlap check expects of blocks of different parts that start together.
    private bool Before(int a, int b)
    {
        BlockHeader x = _found[a][_next[a]];
        BlockHeader y = _found[b][_next[b]];
        if (x.SeriesId != y.SeriesId)
        {
            return x.SeriesId < y.SeriesId;
        }

        return x.MinTimestamp != y.MinTimestamp ? x.MinTimestamp < y.MinTimestamp : a < b;
    }

    private static bool InOrder(BlockHeader before, BlockHeader after) =>
        before.SeriesId < after.SeriesId || (before.SeriesId == after.SeriesId && before.MinTimestamp <= after.MinTimestamp);
}
