using System.Buffers;
using System.Collections.Concurrent;

namespace Banyan.Silo.Grpc;

/// <summary>
/// The memory Kestrel reads sockets and HTTP/2 bodies into, in blocks larger than its own 4 KiB ones. Kestrel receives
/// into the rest of one block per <c>recv</c>: with 4 KiB blocks a write stream of many small messages took one system
/// call, one pass of the HTTP/2 frame loop and one wake-up of the stream's reader per 4 KiB (about 15 data points), and
/// a 16 KiB DATA frame four passes before it could be read (docs/benchmarks.md, "Kestrel's receive blocks").
/// </summary>
/// <remarks>
/// Thread-safe. A returned block is kept for reuse up to <see cref="MaxRetainedBlocks"/>; past that it is left to the
/// GC, so a burst of connections does not pin its peak for ever. Blocks are allocated pinned (Kestrel hands them to
/// the socket), uninitialised (every byte is written before it is read).
/// </remarks>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>The block size used by the silo: four HTTP/2 DATA frames of the default 16 KiB.</summary>
    public const int DefaultBlockSize = 64 * 1024;

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly int _blockSize;
    private int _retained;

    /// <summary>A pool of <paramref name="blockSize"/>-byte blocks keeping at most <paramref name="maxRetainedBlocks"/> for reuse.</summary>
    public LargeBlockMemoryPool(int blockSize = DefaultBlockSize, int maxRetainedBlocks = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetainedBlocks);
        _blockSize = blockSize;
        MaxRetainedBlocks = maxRetainedBlocks;
    }

    /// <summary>Blocks kept for reuse at most.</summary>
    public int MaxRetainedBlocks { get; }

    /// <summary>Blocks kept for reuse now.</summary>
    public int RetainedBlocks => Volatile.Read(ref _retained);

    /// <inheritdoc/>
    public override int MaxBufferSize => _blockSize;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minBufferSize"/> is larger than a block (pipes ask the pool only up to <see cref="MaxBufferSize"/>).</exception>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, _blockSize);
        if (_free.TryDequeue(out Block? block))
        {
            Interlocked.Decrement(ref _retained);
            block.Lease();
            return block;
        }

        return new Block(this, GC.AllocateUninitializedArray<byte>(_blockSize, pinned: true));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _retained) <= MaxRetainedBlocks)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    // One block and its lease; the same object is handed out again once returned, so renting allocates nothing.
    private sealed class Block(LargeBlockMemoryPool pool, byte[] bytes) : IMemoryOwner<byte>
    {
        private int _leased = 1;

        public Memory<byte> Memory => Volatile.Read(ref _leased) == 1
            ? bytes
            : throw new ObjectDisposedException(nameof(LargeBlockMemoryPool), "a block returned to the pool was used");

        public void Lease() => Volatile.Write(ref _leased, 1);

        public void Dispose()
        {
            // Returned once: a second Dispose of the same lease must not put the block in the pool twice.
            if (Interlocked.Exchange(ref _leased, 0) == 1)
            {
                pool.Return(this);
            }
        }
    }
}
