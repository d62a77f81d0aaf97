using Banyan.Grains.Hosting;
using Banyan.Grains.Telemetry;
using Banyan.Storage.Shards;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Shards;

/// <summary>
/// The silo's one memory budget, shared by every shard grain the silo hosts, so that what their shards hold in
/// buffered writes and memory parts stays within <c>Silo:Shard:MemoryBudgetMegabytes</c> however many groups,
/// segments and shards the silo writes to (<see cref="MemoryBudget"/>). A participant of the silo's lifecycle, so that
/// the silo makes it as it starts (not when its first shard opens): it logs the budget while the runtime initialises
/// and reports it at <c>/metrics</c> (<see cref="GrainMetrics"/>) from then on.
/// </summary>
public sealed partial class ShardMemoryBudget : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly ILogger<ShardMemoryBudget> _logger;
    private readonly string _source;

    /// <summary>The budget of the silo configured by <paramref name="options"/>.</summary>
    public ShardMemoryBudget(IOptions<BanyanSiloOptions> options, ILogger<ShardMemoryBudget> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        ShardGrainOptions shard = options.Value.Shard;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long bound = shard.MemoryBudgetBytes(available);
        Budget = new MemoryBudget(Math.Max(1, bound / 2), bound);
        _source = shard.MemoryBudgetMegabytes > 0 ? "Silo:Shard:MemoryBudgetMegabytes" : $"a quarter of the {available >> 20} MiB the process may use";
        GrainMetrics.AddMemoryBudget(Budget);
    }

    /// <summary>The budget every shard of the silo is opened with.</summary>
    public MemoryBudget Budget { get; }

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(ShardMemoryBudget), ServiceLifecycleStage.RuntimeInitialize, _ =>
        {
            LogBudget(_logger, Budget.MaxBytes >> 20, _source);
            return Task.CompletedTask;
        });
    }

    /// <summary>Stops reporting the budget (the silo stopped).</summary>
    public void Dispose() => GrainMetrics.RemoveMemoryBudget(Budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shards of this silo hold at most {Megabytes} MiB of buffered writes and memory parts together ({Source}); from half of it the shard holding the most is flushed")]
    private static partial void LogBudget(ILogger logger, long megabytes, string source);
}
