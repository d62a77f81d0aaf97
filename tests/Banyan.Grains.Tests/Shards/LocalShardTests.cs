using Banyan.Grains.Shards;

namespace Banyan.Grains.Tests.Shards;

/// <summary>
/// <see cref="LocalShard"/> counts the direct reads of an open shard so its grain closes the engine shard only after the
/// last one: a close completes at once without reads, waits for the reads entered before it (however they end), and
/// refuses reads after it.
/// </summary>
public sealed class LocalShardTests
{
    // The counting never touches the reader.
    private readonly LocalShard _shard = new(reader: null!);

    [Fact]
    public void A_close_without_reads_completes_at_once_and_refuses_later_reads()
    {
        Assert.True(_shard.CloseAsync().IsCompletedSuccessfully);
        Assert.False(_shard.TryEnter());
        Assert.Equal(0, _shard.Readers);
    }

    [Fact]
    public async Task A_close_waits_for_every_read_entered_before_it()
    {
        Assert.True(_shard.TryEnter());
        Assert.True(_shard.TryEnter());

        Task closed = _shard.CloseAsync();
        Assert.False(_shard.TryEnter());
        Assert.False(closed.IsCompleted);
        _shard.Exit();
        Assert.False(closed.IsCompleted);
        _shard.Exit();

        await closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, _shard.Readers);
    }

    [Fact]
    public async Task A_read_that_fails_leaves_as_well()
    {
        Assert.True(_shard.TryEnter());
        Task closed = _shard.CloseAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => _shard.ReadEnteredAsync<int>(_ => throw new InvalidOperationException("read failed")));

        await closed.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
