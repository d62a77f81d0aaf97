namespace Banyan.Client.Writes;

/// <summary>A snapshot of a bulk writer's counters (for progress reports, and to observe its bounds).</summary>
/// <param name="Written">Points taken by <c>WriteAsync</c> so far.</param>
/// <param name="Acknowledged">Points answered <c>STATUS_SUCCEED</c> so far.</param>
/// <param name="Failed">Points reported failed so far.</param>
/// <param name="Retried">Sends of points after a transient failure so far.</param>
/// <param name="HeldPoints">Points taken and not yet settled (buffered, in flight or waiting for a retry); at most <see cref="BulkWriterOptions.MaxInFlightBatches"/> × <see cref="BulkWriterOptions.BatchSize"/>.</param>
/// <param name="PeakHeldPoints">The most points held at once since the writer was created.</param>
/// <param name="InFlightBatches">Batches held: the one being filled plus those sent and not yet settled; at most <see cref="BulkWriterOptions.MaxInFlightBatches"/>.</param>
/// <param name="PeakInFlightBatches">The most batches held at once since the writer was created.</param>
/// <param name="Calls">Grain calls made (first sends and retries).</param>
public readonly record struct BulkWriterStatistics(
    long Written,
    long Acknowledged,
    long Failed,
    long Retried,
    long HeldPoints,
    long PeakHeldPoints,
    int InFlightBatches,
    int PeakInFlightBatches,
    long Calls);
