using System.Diagnostics;
using Banyan.Api;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Queries;

/// <summary>
/// BanyanDB's revision gate of stream and measure queries (<c>group_mod_revisions</c>; its liaison's
/// <c>checkQueryGate</c> and <c>clampTimeRangeBegin</c>). A client that knows a schema's <c>mod_revision</c> per group
/// sends it with the query; each group listed with a revision other than 0 gets a status in the answer's
/// <c>group_statuses</c>: <c>STATUS_SUCCEED</c> when this silo's schema has that revision, <c>STATUS_EXPIRED_SCHEMA</c>
/// when the client's is older, <c>STATUS_SCHEMA_NOT_APPLIED</c> when it is newer than what the silo has (after waiting,
/// bounded, for the change to reach the silo's cache), <c>STATUS_NOT_FOUND</c> when the group has no such schema. One
/// status other than success answers the query with the statuses alone: no data read with a schema the client did not
/// mean. A gated query also reads nothing from before the schemas were created (their <c>created_at</c>): its range
/// begins there, and a range that ends before answers nothing. Without the map nothing changes.
/// </summary>
internal static class QueryRevisionGate
{
    /// <summary>
    /// Answers <paramref name="request"/> through <paramref name="run"/> (the executor, given the request and the catalog
    /// to read it with): at once when the request carries no <c>group_mod_revisions</c>; otherwise after the gate, with
    /// its statuses in the answer, the range clamped, or the statuses alone when a group did not pass.
    /// </summary>
    /// <param name="cache">The silo's schema cache (waited on when a client's revision is ahead of it).</param>
    /// <param name="kind">Stream or measure.</param>
    /// <param name="request">The query.</param>
    /// <param name="maxWait">How long all the groups together may wait for the cache (<see cref="QueryOptions.SchemaApplyWait"/>).</param>
    /// <param name="run">The query's executor.</param>
    public static Task<TResponse> RunAsync<TRequest, TResponse>(SchemaCache cache, SchemaKind kind, TRequest request, TimeSpan maxWait, Func<TRequest, SchemaCatalog, Task<TResponse>> run)
        where TRequest : IRevisionGatedRequest, IDeepCloneable<TRequest>
        where TResponse : IRevisionGatedResponse, new()
        => request.GroupModRevisions.Count == 0 ? run(request, cache.Catalog) : GatedAsync(cache, kind, request, maxWait, run);

    private static async Task<TResponse> GatedAsync<TRequest, TResponse>(SchemaCache cache, SchemaKind kind, TRequest request, TimeSpan maxWait, Func<TRequest, SchemaCatalog, Task<TResponse>> run)
        where TRequest : IRevisionGatedRequest, IDeepCloneable<TRequest>
        where TResponse : IRevisionGatedResponse, new()
    {
        QueryGateOutcome gate = await CheckAsync(cache, kind, request, maxWait);
        if (gate.Refused || gate.Empty)
        {
            TResponse statusesOnly = new();
            statusesOnly.GroupStatuses.Add(gate.Statuses);
            return statusesOnly;
        }

        if (gate.Begin is { } begin)
        {
            request = request.Clone();
            request.TimeRange.Begin = begin;
        }

        TResponse response = await run(request, gate.Catalog);
        response.GroupStatuses.Add(gate.Statuses);
        return response;
    }

    // The gate's outcome for a query whose group_mod_revisions are not empty.
    private static async Task<QueryGateOutcome> CheckAsync(SchemaCache cache, SchemaKind kind, IRevisionGatedRequest request, TimeSpan maxWait)
    {
        RepeatedField<string> groups = request.Groups;
        string name = request.Name;
        MapField<string, long> revisions = request.GroupModRevisions;
        TimeRange? range = request.TimeRange;

        // One deadline for every group, as BanyanDB: a query gating many groups waits at most maxWait in all.
        long started = Stopwatch.GetTimestamp();
        SchemaCatalog catalog = cache.Catalog;
        Dictionary<string, Status> statuses = new(StringComparer.Ordinal);
        foreach (string group in groups)
        {
            if (!revisions.TryGetValue(group, out long revision) || revision == 0)
            {
                continue;
            }

            if (revision > catalog.Revision)
            {
                // The client has seen a change this silo's cache has not applied yet: give it the time to arrive.
                catalog = await cache.WaitForRevisionAsync(revision, maxWait - Stopwatch.GetElapsedTime(started));
            }

            statuses[group] = !catalog.TryGet(new SchemaKey(kind, group, name), out IMessage? schema)
                ? Status.NotFound
                : (SchemaKinds.MetadataOf(schema)?.ModRevision ?? 0) switch
                {
                    long current when revision < current => Status.ExpiredSchema,
                    long current when revision > current => Status.SchemaNotApplied,
                    _ => Status.Succeed,
                };
        }

        if (statuses.Values.Any(s => s != Status.Succeed))
        {
            return new QueryGateOutcome(statuses, Refused: true, Empty: false, Begin: null, catalog);
        }

        (Timestamp? begin, bool empty) = Clamp(catalog, kind, groups, name, range);
        return new QueryGateOutcome(statuses, Refused: false, empty, begin, catalog);
    }

    // The range's begin moved to the latest created_at of the schema in the groups (null when it does not move); empty
    // when that is after the range's end. A range without a begin begins at the epoch, as BanyanDB reads it.
    private static (Timestamp? Begin, bool Empty) Clamp(SchemaCatalog catalog, SchemaKind kind, IReadOnlyList<string> groups, string name, TimeRange? range)
    {
        if (range is null)
        {
            return (null, false);
        }

        Timestamp begin = range.Begin ?? new Timestamp();

        Timestamp? created = null;
        foreach (string group in groups)
        {
            if (catalog.TryGet(new SchemaKey(kind, group, name), out IMessage? schema)
                && SchemaStamps.CreatedAt(schema) is { } at
                && (created is null || at > created))
            {
                created = at;
            }
        }

        if (created is null || created <= begin)
        {
            return (null, false);
        }

        return (created, range.End is { } end && (end.Seconds != 0 || end.Nanos != 0) && created > end);
    }
}
