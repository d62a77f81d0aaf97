using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Schema;

/// <summary>
/// Loads the whole catalog into this silo's <see cref="SchemaCache"/> when the silo starts, in the silo's
/// <c>Active</c> lifecycle stage: after the silo can call grains and before its start completes, so before a host
/// that starts the silo first (the silo process: Orleans' hosted service, then Kestrel) serves any request. It
/// registers the silo with the metadata grain in the same call, so no change falls between the snapshot and the
/// pushes. If the catalog cannot be loaded within <see cref="SchemaOptions.StartupLoadTimeout"/> (the metadata
/// grain's silo is unreachable, its state is damaged) the error is logged and the silo serves without the catalog:
/// the next catalog change sends it the whole catalog, and failing the start would only make the process restart
/// into the same error.
/// </summary>
public sealed partial class SchemaCacheLoader(
    IGrainFactory grains,
    SchemaCache cache,
    ILocalSiloDetails silo,
    IOptions<BanyanSiloOptions> options,
    ILogger<SchemaCacheLoader> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(1);

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(SchemaCacheLoader), ServiceLifecycleStage.Active, LoadAsync);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        TimeSpan budget = options.Value.Schema.StartupLoadTimeout;
        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(budget);
        IMetadataGrain metadata = grains.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);
        Exception? last = null;
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                SchemaCatalogSnapshot snapshot = await metadata.RegisterCache(silo.Name).WaitAsync(deadline.Token);
                cache.Load(snapshot);
                LogLoaded(silo.Name, cache.Revision, cache.Catalog.Count);
                return;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                break;
            }
            catch (SchemaCatalogCorruptionException e)
            {
                // Retrying cannot help: the stored catalog must be repaired.
                last = e;
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
                LogRetry(e, silo.Name);
                try
                {
                    await Task.Delay(s_retryDelay, deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        LogNotLoaded(last, silo.Name, budget);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node '{Node}' loaded the schema catalog at revision {Revision} ({Count} schemas)")]
    private partial void LogLoaded(string node, long revision, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node '{Node}' could not load the schema catalog yet; retrying")]
    private partial void LogRetry(Exception exception, string node);

    [LoggerMessage(Level = LogLevel.Error, Message = "Node '{Node}' starts without the schema catalog (not loaded within {Budget}); it gets the whole catalog with the next schema change")]
    private partial void LogNotLoaded(Exception? exception, string node, TimeSpan budget);
}
