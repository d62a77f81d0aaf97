using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Hosting;
using Banyan.Grains.Schema;
using Microsoft.Extensions.Logging;

namespace Banyan.Grains.Writes;

/// <summary>
/// What the stream and measure grains share: resolving the group and subject of a batch against this silo's schema
/// cache (waiting, bounded, for a schema revision the client already knows), and logging the outcome.
/// </summary>
internal static partial class SubjectWriter
{
    /// <summary>The group's settings, or a verdict refusing every element (group unknown, of another catalog).</summary>
    public static SchemaVerdict? ResolveGroup(SchemaCatalog catalog, string group, Catalog expected, out GroupSettings? settings)
    {
        settings = null;
        if (!catalog.TryGetGroup(group, out Group? schema) || schema.Catalog != expected)
        {
            string what = expected == Catalog.Stream ? "stream" : "measure";
            return new SchemaVerdict(WriteStatus.NotFound, schema is null ? $"metadata.group: group '{group}' does not exist" : $"metadata.group: group '{group}' is not a {what} group");
        }

        return GroupSettings.TryFrom(schema, out settings)
            ? null
            : new SchemaVerdict(WriteStatus.InternalError, $"metadata.group: group '{group}' has no usable resource_opts (shard_num, segment_interval, ttl)");
    }

    /// <summary>
    /// Waits (bounded by <see cref="WriteOptions.SchemaApplyWait"/>) until the silo's catalog reaches
    /// <paramref name="revision"/>, when the client knows a newer revision than the silo has. Returns the catalog to use.
    /// </summary>
    public static Task<SchemaCatalog> AwaitRevisionAsync(SchemaCache cache, long revision, TimeSpan bound) =>
        cache.WaitForRevisionAsync(revision, bound);

    /// <summary>Logs the refusals of one batch (debug: clients see the statuses; the reasons are for operators).</summary>
    public static void LogRefusals(ILogger logger, string subject, WriteOutcome outcome)
    {
        if (outcome.Refusals.Length > 0 && logger.IsEnabled(LogLevel.Debug))
        {
            ElementRefusal first = outcome.Refusals[0];
            LogRefused(logger, subject, outcome.Refusals.Length, outcome.Statuses.Length, first.Index, outcome.Statuses[first.Index], first.Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Write to {Subject}: {Refused} of {Count} elements refused; first: element {Index} {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string subject, int refused, int count, int index, WriteStatus status, string reason);
}
