using System.Buffers;

namespace Banyan.Storage.Shards;

/// <summary>
/// Leak counters of one shard (BanyanDB checks leaked references in its integration teardown; our
/// shard tests check these after every test): part handles not yet freed, views not yet released,
/// and pooled buffers the shard rented and has not returned. All three are zero once the shard is
/// disposed and every reader has disposed its view, scan or cursor. One interlocked add per event.
/// </summary>
internal sealed class ShardResources
{
    private readonly Action _partFreed;
    private long _liveParts;
    private long _liveViews;
    private long _rentedBuffers;

    public ShardResources()
    {
        _partFreed = PartFreed;
    }

    /// <summary>Part handles created by the shard whose last reference has not been released.</summary>
    public long LiveParts => Volatile.Read(ref _liveParts);

    /// <summary>Views (the current one and every reader's) not yet released.</summary>
    public long LiveViews => Volatile.Read(ref _liveViews);

    /// <summary>Pooled buffers rented through <see cref="Rent{T}"/> and not yet returned.</summary>
    public long RentedBuffers => Volatile.Read(ref _rentedBuffers);

    /// <summary>Counts a new part handle; returns the callback its handle calls when freed.</summary>
    public Action PartCreated()
    {
        Interlocked.Increment(ref _liveParts);
        return _partFreed;
    }

    public void ViewCreated() => Interlocked.Increment(ref _liveViews);

    public void ViewReleased() => Interlocked.Decrement(ref _liveViews);

    /// <summary>Rents an array of at least <paramref name="length"/> from the shared pool, counted until <see cref="Return{T}"/>.</summary>
    public T[] Rent<T>(int length)
    {
        Interlocked.Increment(ref _rentedBuffers);
        return ArrayPool<T>.Shared.Rent(length);
    }

    /// <summary>Returns an array rented with <see cref="Rent{T}"/>.</summary>
    public void Return<T>(T[] array)
    {
        ArrayPool<T>.Shared.Return(array);
        Interlocked.Decrement(ref _rentedBuffers);
    }

    /// <summary>Counts a pooled buffer the shard took outside <see cref="Rent{T}"/> (a <c>ByteBuffer</c>); pair with <see cref="BufferReturned"/>.</summary>
    public void BufferRented() => Interlocked.Increment(ref _rentedBuffers);

    /// <summary>Counts the return of a buffer counted by <see cref="BufferRented"/>.</summary>
    public void BufferReturned() => Interlocked.Decrement(ref _rentedBuffers);

    private void PartFreed() => Interlocked.Decrement(ref _liveParts);
}
