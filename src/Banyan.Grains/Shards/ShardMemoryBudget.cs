using Banyan.Grains.Hosting;
using Banyan.Grains.Telemetry;
using Banyan.Storage.Shards;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Shards;

/// <summary>
/// The silo's one memory budget, shared by every shard grain the silo hosts, so that what their shards hold in
/// buffered writes and memory parts stays within <c>Silo:Shard:MemoryBudgetMegabytes</c> however many groups,
/// segments and shards the silo writes to (<see cref="MemoryBudget"/>). Reported at <c>/metrics</c>
/// (<see cref="GrainMetrics"/>) while the silo runs.
/// </summary>
public sealed partial class ShardMemoryBudget : IDisposable
{
    /// <summary>The budget of the silo configured by <paramref name="options"/>, logged once (the silo makes it when its first shard grain activates).</summary>
    public ShardMemoryBudget(IOptions<BanyanSiloOptions> options, ILogger<ShardMemoryBudget> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ShardGrainOptions shard = options.Value.Shard;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long bound = shard.MemoryBudgetBytes(available);
        Budget = new MemoryBudget(Math.Max(1, bound / 2), bound);
        GrainMetrics.AddMemoryBudget(Budget);
        LogBudget(logger, bound >> 20, shard.MemoryBudgetMegabytes > 0 ? "Silo:Shard:MemoryBudgetMegabytes" : $"a quarter of the {available >> 20} MiB the process may use");
    }

    /// <summary>The budget every shard of the silo is opened with.</summary>
    public MemoryBudget Budget { get; }

    /// <summary>Stops reporting the budget (the silo stopped).</summary>
    public void Dispose() => GrainMetrics.RemoveMemoryBudget(Budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shards of this silo hold at most {Megabytes} MiB of buffered writes and memory parts together ({Source}); from half of it the shard holding the most is flushed")]
    private static partial void LogBudget(ILogger logger, long megabytes, string source);
}
