using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Banyan.Silo.Grpc;

/// <summary>
/// Gives Kestrel <see cref="LargeBlockMemoryPool"/>s instead of its 4 KiB-block pools: registered as the host's
/// <see cref="IMemoryPoolFactory{T}"/>, which Kestrel's socket transport asks for its pools (one per listening
/// endpoint).
/// </summary>
public sealed class LargeBlockMemoryPoolFactory(int blockSize = LargeBlockMemoryPool.DefaultBlockSize) : IMemoryPoolFactory<byte>
{
    private int _created;

    /// <summary>Pools handed out so far (the silo's tests check that Kestrel asked).</summary>
    public int PoolsCreated => Volatile.Read(ref _created);

    /// <inheritdoc/>
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        Interlocked.Increment(ref _created);
        return new LargeBlockMemoryPool(blockSize);
    }
}
