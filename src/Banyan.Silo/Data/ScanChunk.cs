using System.Collections.Concurrent;

namespace Banyan.Silo.Data;

/// <summary>
/// A block of pooled memory the write stream's scanner copies data points into (<see cref="MeasureWireScanner"/>), shared
/// by the requests sliced from it and returned to the pool once none of them is needed: after the scanner moved on to
/// another chunk (<see cref="Seal"/>) and every batch holding one of its slices was written (<see cref="Release"/>).
/// Those copies were a fifth of the bytes the write phase allocated, and fresh memory each: a page fault per 4 KiB
/// touched (docs/benchmarks.md, "Data points copied into reused chunks").
/// </summary>
/// <remarks>
/// A batch whose grain call failed never releases its slices: the call may still be reading them (a timeout does not
/// stop the grain), so such a chunk is left to the garbage collector instead of going back to the pool.
/// </remarks>
public sealed class ScanChunk
{
    /// <summary>The chunk's size in bytes.</summary>
    public const int Size = 32 * 1024;

    /// <summary>Most chunks kept for reuse (8 MiB): enough for every stream's batches in flight on a busy silo.</summary>
    public const int MaxRetained = 256;

    // The scanner's hold, far above any count of slices: the count cannot reach 0 while the scanner may still slice, even
    // when batches release slices before it seals.
    private const int Held = 1 << 30;

    // Free chunks' memory. Not ArrayPool<byte>.Shared: its per-core stacks keep a few dozen arrays of a size, and with
    // eight streams' chunks coming back in bursts from the grains' threads about a third of the rents found none
    // (an allocation profile of the write phase).
    private static readonly ConcurrentQueue<byte[]> s_free = new();
    private static int s_freeCount;

    private readonly byte[] _bytes;
    private int _outstanding = Held;

    private ScanChunk(byte[] bytes) => _bytes = bytes;

    /// <summary>The memory to copy into (<see cref="Size"/> bytes), valid until the chunk is returned.</summary>
    public byte[] Bytes => _bytes;

    /// <summary>True once the memory went back to the pool.</summary>
    internal bool Returned => Volatile.Read(ref _outstanding) == 0;

    /// <summary>A chunk of pooled memory, held by the caller until it calls <see cref="Seal"/>.</summary>
    public static ScanChunk Rent()
    {
        if (s_free.TryDequeue(out byte[]? bytes))
        {
            Interlocked.Decrement(ref s_freeCount);
            return new ScanChunk(bytes);
        }

        return new ScanChunk(GC.AllocateUninitializedArray<byte>(Size)); // every byte read is written first
    }

    /// <summary>The scanner is done with the chunk after handing out <paramref name="slices"/> slices of it.</summary>
    public void Seal(int slices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slices);
        Add(slices - Held);
    }

    /// <summary><paramref name="slices"/> slices of the chunk are no longer read (their batch was written).</summary>
    public void Release(int slices)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slices);
        Add(-slices);
    }

    private void Add(int delta)
    {
        int left = Interlocked.Add(ref _outstanding, delta);
        if (left == 0)
        {
            if (Interlocked.Increment(ref s_freeCount) <= MaxRetained)
            {
                s_free.Enqueue(_bytes);
            }
            else
            {
                Interlocked.Decrement(ref s_freeCount); // enough kept: this one is left to the garbage collector
            }
        }
        else if (left < 0)
        {
            throw new InvalidOperationException($"a scan chunk was released {-left} slices more than it handed out; its memory may be in use elsewhere");
        }
    }
}
