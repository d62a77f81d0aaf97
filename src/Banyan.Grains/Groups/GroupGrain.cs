using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Storage;

namespace Banyan.Grains.Groups;

/// <summary>
/// One group: keeps the persisted shard → owner-node assignment (see <see cref="ShardAssignment"/>).
/// Segment lifecycle (creating segments ahead, dropping expired ones) joins it in a later issue.
/// </summary>
public sealed class GroupGrain(
    [PersistentState("group", BanyanGrainStorage.Name)] IPersistentState<GroupState> state,
    IClusterMembershipService membership) : Grain, IGroupGrain
{
    /// <inheritdoc/>
    public async Task<ShardOwners> GetShardOwners(int shardNum)
    {
        string group = this.GetPrimaryKeyString();
        ShardGrainKey.ValidateGroupName(group);
        if (shardNum < 1 || shardNum > ShardOwners.MaxShards)
        {
            throw new ArgumentOutOfRangeException(nameof(shardNum), shardNum, $"A group has 1 to {ShardOwners.MaxShards} shards.");
        }

        List<string> owners = state.State.ShardOwners;
        if (owners.Count < shardNum)
        {
            // Extend a copy: if the write fails the activation keeps the assignment that is on disk.
            List<string> extended = [.. owners];
            ShardAssignment.Extend(extended, shardNum, NodesUp());
            state.State.ShardOwners = extended;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                state.State.ShardOwners = owners;
                throw;
            }

            owners = extended;
        }

        return new ShardOwners(group, [.. owners.Take(shardNum)]);
    }

    private SortedSet<string> NodesUp()
    {
        SortedSet<string> names = new(StringComparer.Ordinal);
        foreach (ClusterMember member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && !string.IsNullOrEmpty(member.Name))
            {
                names.Add(member.Name);
            }
        }

        return names;
    }
}
