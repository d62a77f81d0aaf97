using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Schema.Validation;

namespace Banyan.Grains.Tests.Schema;

/// <summary>Group names the catalog accepts are exactly the folder names shard keys accept.</summary>
public sealed class SchemaNamesTests
{
    [Theory]
    [InlineData("sw_metric")]
    [InlineData("default-spec2")]
    [InlineData("a.b")]
    [InlineData("_grains")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("é")]
    [InlineData("")]
    public void Group_names_follow_the_shard_key_rules(string name)
    {
        bool catalogAccepts = Accepts(() => SchemaNames.RequireGroupName("group.metadata.name", name));
        bool shardKeyAccepts = Accepts(() => ShardGrainKey.ValidateGroupName(name));
        Assert.Equal(shardKeyAccepts, catalogAccepts);
    }

    [Fact]
    public void Group_names_longer_than_shard_keys_allow_are_refused_alike()
    {
        string longest = new('g', ShardGrainKey.MaxGroupNameLength);
        SchemaNames.RequireGroupName("f", longest);
        ShardGrainKey.ValidateGroupName(longest);
        Assert.Throws<SchemaValidationException>(() => SchemaNames.RequireGroupName("f", longest + "g"));
        Assert.Throws<ArgumentException>(() => ShardGrainKey.ValidateGroupName(longest + "g"));
    }

    [Fact]
    public void Names_with_control_characters_are_refused()
    {
        SchemaValidationException e = Assert.Throws<SchemaValidationException>(() => SchemaNames.RequireName("measure.metadata.name", "a\nb"));
        Assert.Contains("U+000A", e.Reason, StringComparison.Ordinal);
    }

    private static bool Accepts(Action check)
    {
        try
        {
            check();
            return true;
        }
        catch (Exception e) when (e is ArgumentException or SchemaValidationException)
        {
            return false;
        }
    }
}
