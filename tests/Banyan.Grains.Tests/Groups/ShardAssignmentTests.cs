using Banyan.Grains.Groups;

namespace Banyan.Grains.Tests.Groups;

public sealed class ShardAssignmentTests
{
    [Fact]
    public void New_shards_go_to_the_least_loaded_node_ties_by_name()
    {
        List<string> owners = [];
        Assert.True(ShardAssignment.Extend(owners, 5, ["b", "a", "c"]));
        Assert.Equal(["a", "b", "c", "a", "b"], owners);
    }

    [Fact]
    public void Existing_assignments_never_move_even_when_their_owner_is_down()
    {
        List<string> owners = ["gone", "a", "a"];
        Assert.True(ShardAssignment.Extend(owners, 6, ["a", "b"]));
        Assert.Equal(["gone", "a", "a", "b", "b", "a"], owners);
        Assert.False(ShardAssignment.Extend(owners, 4, ["a", "b"]));
        Assert.Equal(6, owners.Count);
    }

    [Fact]
    public void Without_a_node_up_a_new_shard_is_refused()
    {
        List<string> owners = ["a"];
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => ShardAssignment.Extend(owners, 2, []));
        Assert.Contains("No silo is up", e.Message, StringComparison.Ordinal);
        Assert.Equal(["a"], owners);
    }

    [Fact]
    public void Random_extensions_match_a_simple_model()
    {
        Random random = new(12345);
        for (int round = 0; round < 200; round++)
        {
            string[] nodes = [.. Enumerable.Range(0, random.Next(1, 6)).Select(i => "n" + random.Next(0, 8)).Distinct()];
            List<string> owners = [.. Enumerable.Range(0, random.Next(0, 6)).Select(_ => "n" + random.Next(0, 8))];
            List<string> before = [.. owners];
            int target = random.Next(0, 20);
            ShardAssignment.Extend(owners, target, nodes);

            // Model: repeatedly pick min (count among the nodes up, then name).
            List<string> model = [.. before];
            while (model.Count < target)
            {
                model.Add(nodes.OrderBy(n => model.Count(o => o == n)).ThenBy(n => n, StringComparer.Ordinal).First());
            }

            Assert.Equal(model, owners);
        }
    }
}
