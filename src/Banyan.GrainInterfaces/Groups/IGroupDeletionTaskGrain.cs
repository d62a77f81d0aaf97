using Banyan.Api.Database.V1;

namespace Banyan.GrainInterfaces.Groups;

/// <summary>
/// The last deletion of one group (key: the group name), as BanyanDB's <c>GroupRegistryService/Query</c> reports it: a
/// <see cref="GroupDeletionTask"/> kept in grain storage, so it is answered after a restart too. Banyan deletes a group
/// before its <c>Delete</c> answers, so the task it records is finished: <c>PHASE_COMPLETED</c>, or <c>PHASE_FAILED</c>
/// with the reason. A later deletion of a group of the same name replaces it.
/// </summary>
public interface IGroupDeletionTaskGrain : IGrainWithStringKey
{
    /// <summary>Keeps <paramref name="task"/> as the group's last deletion (persisted before it returns).</summary>
    Task Record(GroupDeletionTask task);

    /// <summary>The group's last deletion, or null when none was recorded.</summary>
    Task<GroupDeletionTask?> Get();
}
