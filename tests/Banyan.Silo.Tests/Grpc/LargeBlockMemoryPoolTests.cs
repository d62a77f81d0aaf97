using System.Buffers;
using Banyan.Silo.Grpc;

namespace Banyan.Silo.Tests.Grpc;

/// <summary><see cref="LargeBlockMemoryPool"/>: whole blocks, reused once returned, never leased twice, retention bounded.</summary>
public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Every_rent_gets_a_whole_block_and_larger_requests_are_refused()
    {
        using LargeBlockMemoryPool pool = new(blockSize: 8192);
        Assert.Equal(8192, pool.MaxBufferSize);
        using IMemoryOwner<byte> any = pool.Rent();
        using IMemoryOwner<byte> small = pool.Rent(100);
        using IMemoryOwner<byte> full = pool.Rent(8192);
        Assert.All(new[] { any, small, full }, o => Assert.Equal(8192, o.Memory.Length));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(8193));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LargeBlockMemoryPool(blockSize: 1024));
    }

    [Fact]
    public void A_returned_block_is_handed_out_again_and_a_second_dispose_does_not_return_it_twice()
    {
        using LargeBlockMemoryPool pool = new(blockSize: 4096);
        IMemoryOwner<byte> first = pool.Rent();
        Memory<byte> firstMemory = first.Memory;
        first.Dispose();
        first.Dispose();
        Assert.Equal(1, pool.RetainedBlocks);
        Assert.Throws<ObjectDisposedException>(() => first.Memory);

        using IMemoryOwner<byte> again = pool.Rent();
        using IMemoryOwner<byte> other = pool.Rent();
        Assert.True(again.Memory.Span == firstMemory.Span, "the returned block was not reused");
        Assert.False(other.Memory.Span == firstMemory.Span, "one block was leased twice");
        Assert.Equal(0, pool.RetainedBlocks);
    }

    [Fact]
    public void Blocks_returned_beyond_the_bound_are_left_to_the_collector()
    {
        using LargeBlockMemoryPool pool = new(blockSize: 4096, maxRetainedBlocks: 3);
        IMemoryOwner<byte>[] leased = [.. Enumerable.Range(0, 10).Select(_ => pool.Rent())];
        foreach (IMemoryOwner<byte> owner in leased)
        {
            owner.Dispose();
        }

        Assert.Equal(3, pool.RetainedBlocks);
    }

    [Fact]
    public async Task Concurrent_renters_never_share_a_block()
    {
        using LargeBlockMemoryPool pool = new(blockSize: 4096, maxRetainedBlocks: 8);
        int corrupted = 0;

        // Each renter fills its block with its own byte, yields, and checks nobody else wrote into it.
        Task[] renters = [.. Enumerable.Range(1, 8).Select(id => Task.Run(async () =>
        {
            for (int i = 0; i < 2000; i++)
            {
                using IMemoryOwner<byte> owner = pool.Rent();
                owner.Memory.Span.Fill((byte)id);
                if (i % 16 == 0)
                {
                    await Task.Yield();
                }

                if (owner.Memory.Span.IndexOfAnyExcept((byte)id) >= 0)
                {
                    Interlocked.Increment(ref corrupted);
                }
            }
        }))];
        await Task.WhenAll(renters);

        Assert.Equal(0, corrupted);
        Assert.InRange(pool.RetainedBlocks, 1, 8);
    }
}
