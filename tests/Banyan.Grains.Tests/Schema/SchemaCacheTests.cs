using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Banyan.Tests.Shared.Schema;

namespace Banyan.Grains.Tests.Schema;

/// <summary>The silo-local cache applies changes in revision order and asks for the whole catalog when it cannot.</summary>
public sealed class SchemaCacheTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly SchemaSamples _s = new("cache");

    [Fact]
    public void A_cache_that_has_not_loaded_refuses_changes_until_it_loads()
    {
        SchemaCache cache = new();
        Assert.False(cache.IsLoaded);
        Assert.Equal(-1, cache.Revision);
        Assert.Equal(0, cache.Catalog.Count);
        SchemaEdit first = SchemaRegistry.Create(SchemaCatalog.Empty, _s.StreamGroup(), s_now);
        Assert.False(cache.TryApply(first.Change!));
        cache.Load(first.Next.ToSnapshot());
        Assert.True(cache.IsLoaded);
        Assert.Equal(1, cache.Revision);
        Assert.True(cache.Catalog.TryGetGroup(_s.StreamGroupName, out _));
    }

    [Fact]
    public void Changes_apply_in_order_repeats_are_acknowledged_and_a_gap_asks_for_the_catalog()
    {
        SchemaCache cache = new();
        cache.Load(SchemaCatalog.Empty.ToSnapshot());
        SchemaEdit one = SchemaRegistry.Create(SchemaCatalog.Empty, _s.StreamGroup(), s_now);
        SchemaEdit two = SchemaRegistry.Create(one.Next, _s.Stream(), s_now);
        SchemaEdit three = SchemaRegistry.Create(two.Next, _s.IndexRule(), s_now);
        Assert.True(cache.TryApply(one.Change!));
        Assert.True(cache.TryApply(one.Change!));
        Assert.Equal(1, cache.Revision);
        Assert.False(cache.TryApply(three.Change!));
        Assert.Equal(1, cache.Revision);
        Assert.True(cache.TryApply(two.Change!));
        Assert.True(cache.TryApply(three.Change!));
        Assert.Equal(3, cache.Revision);
        Assert.True(cache.Catalog.TryGetIndexRule(_s.StreamGroupName, "trace_id", out _));
    }

    [Fact]
    public void A_snapshot_older_than_the_cache_is_ignored_and_readers_keep_their_snapshot()
    {
        SchemaCache cache = new();
        SchemaEdit one = SchemaRegistry.Create(SchemaCatalog.Empty, _s.StreamGroup(), s_now);
        SchemaEdit two = SchemaRegistry.Create(one.Next, _s.Stream(), s_now);
        cache.Load(two.Next.ToSnapshot());
        SchemaCatalog reader = cache.Catalog;
        cache.Load(one.Next.ToSnapshot());
        Assert.Equal(2, cache.Revision);
        SchemaEdit three = SchemaRegistry.Delete(two.Next, new SchemaKey(SchemaKind.Stream, _s.StreamGroupName, "sw"), s_now).Edit;
        Assert.True(cache.TryApply(three.Change!));
        Assert.False(cache.Catalog.TryGetStream(_s.StreamGroupName, "sw", out _));
        Assert.True(reader.TryGetStream(_s.StreamGroupName, "sw", out _));
    }

    [Fact]
    public async Task A_wait_for_a_revision_ends_when_a_change_or_a_load_reaches_it_and_otherwise_at_its_bound()
    {
        SchemaCache cache = new();
        SchemaEdit one = SchemaRegistry.Create(SchemaCatalog.Empty, _s.StreamGroup(), s_now);
        SchemaEdit two = SchemaRegistry.Create(one.Next, _s.Stream(), s_now);
        SchemaEdit three = SchemaRegistry.Create(two.Next, _s.IndexRule(), s_now);

        // Waits far longer than the test: they end on the change, not on their bound.
        TimeSpan forever = TimeSpan.FromMinutes(10);
        Task<SchemaCatalog> forOne = cache.WaitForRevisionAsync(1, forever);
        Task<SchemaCatalog> forTwo = cache.WaitForRevisionAsync(2, forever);
        Task<SchemaCatalog> forThree = cache.WaitForRevisionAsync(3, forever);
        Assert.False(forOne.IsCompleted || forTwo.IsCompleted || forThree.IsCompleted);

        cache.Load(one.Next.ToSnapshot());
        Assert.Equal(1, (await forOne.WaitAsync(TimeSpan.FromSeconds(30))).Revision);
        Assert.False(forTwo.IsCompleted || forThree.IsCompleted);

        Assert.True(cache.TryApply(two.Change!));
        Assert.Equal(2, (await forTwo.WaitAsync(TimeSpan.FromSeconds(30))).Revision);
        Assert.False(forThree.IsCompleted);

        // Reached already: at once. Never reached: the latest catalog once the bound has passed.
        Assert.True(cache.WaitForRevisionAsync(2, forever).IsCompletedSuccessfully);
        Assert.Equal(2, (await cache.WaitForRevisionAsync(7, TimeSpan.FromMilliseconds(50))).Revision);
        Assert.Equal(2, (await cache.WaitForRevisionAsync(7, TimeSpan.Zero)).Revision);

        Assert.True(cache.TryApply(three.Change!));
        Assert.Equal(3, (await forThree.WaitAsync(TimeSpan.FromSeconds(30))).Revision);
    }
}
