using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Storage;
using Banyan.Grains.Storage;
using Google.Protobuf;

namespace Banyan.Grains.Groups;

/// <summary>
/// Keeps a group's last deletion task (<see cref="IGroupDeletionTaskGrain"/>) in grain storage, as protobuf bytes of
/// BanyanDB's own message: the metadata grain records it when a deletion finishes, the registry's <c>Query</c> reads it.
/// </summary>
public sealed class GroupDeletionTaskGrain(
    [PersistentState("deletion-task", BanyanGrainStorage.Name)] IPersistentState<GroupDeletionTaskState> state) : Grain, IGroupDeletionTaskGrain
{
    /// <inheritdoc/>
    public async Task Record(GroupDeletionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        state.State.Task = task.ToByteArray();
        await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public Task<GroupDeletionTask?> Get()
    {
        if (state.State.Task is not { } bytes)
        {
            return Task.FromResult<GroupDeletionTask?>(null);
        }

        try
        {
            return Task.FromResult<GroupDeletionTask?>(GroupDeletionTask.Parser.ParseFrom(bytes));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new GrainStateCorruptionException($"the deletion task of group '{this.GetPrimaryKeyString()}' in grain storage does not decode: {e.Message}", e);
        }
    }
}
