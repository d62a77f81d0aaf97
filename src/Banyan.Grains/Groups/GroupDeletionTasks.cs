using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Groups;

/// <summary>
/// The <see cref="GroupDeletionTask"/> a finished group deletion leaves for <c>GroupRegistryService/Query</c>, in
/// BanyanDB's terms: its counts keyed by resource kind (<c>stream</c>, <c>measure</c>, <c>index_rule</c>,
/// <c>index_rule_binding</c>, <c>topn_aggregation</c>, and <c>property</c> and <c>trace</c>, which Banyan does not store,
/// at 0), its messages (<c>group deleted successfully</c>, <c>data files deleted successfully</c>). A data-only deletion
/// counts nothing, as BanyanDB's. Banyan does not measure the deleted bytes: <c>Inspect</c> before the deletion does.
/// </summary>
internal static class GroupDeletionTasks
{
    /// <summary>A finished deletion of the schemas in <paramref name="contents"/> (or of the data only); <paramref name="dataNote"/> tells what of the data is still to drop.</summary>
    public static GroupDeletionTask Completed(GroupContents? contents, bool dataOnly, DateTimeOffset started, DateTimeOffset finished, string? dataNote)
    {
        GroupDeletionTask task = Started(started, finished);
        task.CurrentPhase = GroupDeletionTask.Types.Phase.Completed;
        task.Message = (dataOnly ? "data files deleted successfully" : "group deleted successfully") + (dataNote is null ? string.Empty : "; " + dataNote);
        if (!dataOnly)
        {
            Count(task, "index_rule_binding", contents?.IndexRuleBindings.Length ?? 0);
            Count(task, "index_rule", contents?.IndexRules.Length ?? 0);
            Count(task, "property", 0);
            Count(task, "stream", contents?.Streams.Length ?? 0);
            Count(task, "measure", contents?.Measures.Length ?? 0);
            Count(task, "trace", 0);
            Count(task, "topn_aggregation", contents?.TopNAggregations.Length ?? 0);
        }

        return task;
    }

    /// <summary>A deletion that failed with <paramref name="error"/>: nothing of the group was changed.</summary>
    public static GroupDeletionTask Failed(bool dataOnly, DateTimeOffset started, DateTimeOffset finished, Exception error)
    {
        GroupDeletionTask task = Started(started, finished);
        task.CurrentPhase = GroupDeletionTask.Types.Phase.Failed;
        task.Message = (dataOnly ? "deleting data files failed: " : "deleting group failed: ") + error.Message;
        return task;
    }

    private static GroupDeletionTask Started(DateTimeOffset started, DateTimeOffset finished) => new()
    {
        CreatedAt = Timestamp.FromDateTimeOffset(started),
        UpdatedAt = Timestamp.FromDateTimeOffset(finished),
    };

    private static void Count(GroupDeletionTask task, string kind, int count)
    {
        task.TotalCounts[kind] = count;
        task.DeletedCounts[kind] = count;
    }
}
