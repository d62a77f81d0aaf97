using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Microsoft.Extensions.Logging;

namespace Banyan.Grains.Groups;

/// <summary>
/// When the silo has started (after its schema cache loaded), wakes the group grain of every stream and measure group
/// in the catalog with one <see cref="IGroupGrain.Maintain"/> call, so the segment lifecycle (and its timer) runs after
/// a restart even before the first write. In the background: the silo does not wait for it.
/// </summary>
internal sealed partial class GroupLifecycleStarter(SchemaCache cache, IGrainFactory grains, ILogger<GroupLifecycleStarter> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(GroupLifecycleStarter), ServiceLifecycleStage.Active + 1, cancellationToken =>
        {
            _ = Task.Run(WakeGroupsAsync, CancellationToken.None);
            return Task.CompletedTask;
        });
    }

    private async Task WakeGroupsAsync()
    {
        foreach (Google.Protobuf.IMessage message in cache.Catalog.List(SchemaKind.Group, null))
        {
            if (message is Group { Catalog: Catalog.Stream or Catalog.Measure } group)
            {
                try
                {
                    await grains.GetGrain<IGroupGrain>(group.Metadata.Name).Maintain().WaitAsync(TimeSpan.FromMinutes(1));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    LogWakeFailed(e, group.Metadata.Name);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group}: the segment lifecycle could not be started; it starts with the next write")]
    private partial void LogWakeFailed(Exception exception, string group);
}
