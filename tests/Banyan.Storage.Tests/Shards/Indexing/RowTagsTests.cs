using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards.Indexing;

public sealed class RowTagsTests
{
    [Fact]
    public void WindowBehavesLikeADictionaryOfItsNonNullValues()
    {
        string[] names = ["a", "b", "c"];
        TagValue?[] values = [TagValue.FromInt64(1), null, TagValue.FromString("x"), null, TagValue.FromInt64(2), null];
        var first = new RowTags(names, values, 0);
        var second = new RowTags(names, values, 3);

        Assert.Equal(2, first.Count);
        Assert.True(first.TryGetValue(new string('a', 1), out TagValue? a)); // equal, not the same instance
        Assert.Equal(TagValue.FromInt64(1), a);
        Assert.False(first.TryGetValue("b", out _));
        Assert.False(first.ContainsKey("zz"));
        Assert.Equal(["a", "c"], first.Keys);
        Assert.Equal(TagValue.FromString("x"), first["c"]);
        Assert.Throws<KeyNotFoundException>(() => first["b"]);

        Assert.Single(second);
        Assert.Equal(["b"], second.Keys);
        Assert.Equal([TagValue.FromInt64(2)], second.Values);
    }
}
