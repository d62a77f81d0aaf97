using Banyan.Grains.TopN;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Shards;

/// <summary>
/// The shard grain's TopN part (<see cref="ShardTopN"/>, in <c>src/Banyan.Grains/TopN/</c>): the hooks the write path,
/// the lifecycle and the timers call, and the TopN shard query. Kept apart so the write path itself stays as it is.
/// </summary>
public sealed partial class ShardGrain
{
    private ShardTopN? _topN;

    /// <inheritdoc/>
    public async Task<MeasureV1.TopNList> QueryTopN(Banyan.GrainInterfaces.Queries.TopNShardQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        Shard? shard = _dropped || state.State.Kind is not DataKind.Measure ? null : await OpenIfCreatedAsync();
        return shard is null ? new MeasureV1.TopNList() : await TopNOf().QueryAsync(shard, query);
    }

    // After a measure batch is acknowledged: its points feed the TopN aggregations of its measure (in memory, no I/O;
    // never throws, so an acknowledged write cannot fail because of TopN).
    private void FeedTopN(Shard shard, string subject, WriteBatch batch)
    {
        if (batch.Kind == DataKind.Measure)
        {
            TopNOf().Observe(shard, schemas.Catalog, subject, batch);
        }
    }

    // Measure shards write their changed TopN lists every Silo:TopN:FlushPeriod.
    private void StartTopNTimer(Shard shard, DataKind kind)
    {
        if (kind == DataKind.Measure)
        {
            TimeSpan period = _options.TopN.FlushPeriod;
            _timers.Add(this.RegisterGrainTimer(FlushTopNTickAsync, shard, new GrainTimerCreationOptions(period, period) { Interleave = true, KeepAlive = false }));
        }
    }

    // Before the shard closes: what the TopN windows hold is written, so a graceful deactivation loses nothing.
    private Task CloseTopNAsync(Shard shard) => _topN is { IsActive: true } topN ? topN.CloseAsync(shard) : Task.CompletedTask;

    private Task FlushTopNTickAsync(Shard shard, CancellationToken cancellationToken) =>
        _topN is { IsActive: true } topN ? topN.FlushAsync(shard) : Task.CompletedTask;

    private ShardTopN TopNOf() => _topN ??= new ShardTopN(_key.Group, logger, storedLists: topNLists.Cache);
}
