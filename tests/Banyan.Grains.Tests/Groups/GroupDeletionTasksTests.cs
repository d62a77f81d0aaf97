using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Groups;

namespace Banyan.Grains.Tests.Groups;

/// <summary>
/// The deletion task a finished group deletion leaves for <c>GroupRegistryService/Query</c>, in BanyanDB's terms: its
/// phase, messages and the counts keyed by BanyanDB's resource kinds.
/// </summary>
public sealed class GroupDeletionTasksTests
{
    private static readonly DateTimeOffset s_started = new(2026, 12, 8, 3, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_finished = s_started.AddMilliseconds(250);

    [Fact]
    public void A_finished_deletion_counts_each_kind_under_BanyanDBs_names()
    {
        GroupContents contents = new(["log"], ["cpm", "latency"], ["trace_id"], ["bind"], ["top"]);
        GroupDeletionTask task = GroupDeletionTasks.Completed(contents, dataOnly: false, s_started, s_finished, dataNote: null);
        Assert.Equal(GroupDeletionTask.Types.Phase.Completed, task.CurrentPhase);
        Assert.Equal("group deleted successfully", task.Message);
        Assert.Equal(
            new Dictionary<string, int> { ["index_rule_binding"] = 1, ["index_rule"] = 1, ["property"] = 0, ["stream"] = 1, ["measure"] = 2, ["trace"] = 0, ["topn_aggregation"] = 1 },
            task.TotalCounts.ToDictionary());
        Assert.Equal(task.TotalCounts, task.DeletedCounts);
        Assert.Equal((s_started, s_finished), (task.CreatedAt.ToDateTimeOffset(), task.UpdatedAt.ToDateTimeOffset()));
    }

    [Fact]
    public void A_data_only_deletion_counts_nothing_and_says_what_is_left()
    {
        GroupDeletionTask task = GroupDeletionTasks.Completed(null, dataOnly: true, s_started, s_finished, dataNote: "2 segments keep shards");
        Assert.Equal("data files deleted successfully; 2 segments keep shards", task.Message);
        Assert.Empty(task.TotalCounts);
        Assert.Empty(task.DeletedCounts);
    }

    [Fact]
    public void A_failed_deletion_says_why()
    {
        GroupDeletionTask task = GroupDeletionTasks.Failed(dataOnly: false, s_started, s_finished, new IOException("disk full"));
        Assert.Equal(GroupDeletionTask.Types.Phase.Failed, task.CurrentPhase);
        Assert.Equal("deleting group failed: disk full", task.Message);
        Assert.Empty(task.TotalCounts);
        Assert.StartsWith("deleting data files failed: ", GroupDeletionTasks.Failed(dataOnly: true, s_started, s_finished, new IOException("x")).Message, StringComparison.Ordinal);
    }
}
