using System.Diagnostics;
using Banyan.Api.Common.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Trace = Banyan.Api.Common.V1.Trace;

namespace Banyan.Grains.Queries;

/// <summary>
/// The trace of one query asked with <c>trace: true</c> (BanyanDB's <c>pkg/query/tracer.go</c>): a tree of spans, each
/// with its start, end, duration in nanoseconds, tags and children, answered as the response's <c>common.v1.Trace</c>.
/// BanyanDB's own integration tests ask every query they check once more with a trace and require spans, and SkyWalking's
/// query debugging shows them. The executors make the spans: planning, each group's shard reads with a child per shard
/// (timed on the querying silo: a remote shard's span includes the grain call), the merge and the answer.
/// </summary>
/// <remarks>
/// Times come from one anchor, the wall clock when the trace starts, plus a monotonic stopwatch, so spans order and nest
/// exactly even if the wall clock steps. Spans may be added from parallel reads: a span's children and tags are guarded
/// by its own lock. A span keeps at most <see cref="MaxChildren"/> children and counts the rest in a tag, as upstream.
/// </remarks>
public sealed class QueryTrace
{
    /// <summary>The most children a span keeps (BanyanDB keeps a bounded number too).</summary>
    public const int MaxChildren = 100;

    /// <summary>The longest request text the root span's <c>request</c> tag holds.</summary>
    public const int MaxRequestText = 4096;

    private readonly DateTimeOffset _anchor;
    private readonly long _anchorTicks = Stopwatch.GetTimestamp();

    private QueryTrace(string rootMessage, DateTimeOffset wallClock)
    {
        _anchor = wallClock;
        Id = wallClock.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Root = new QueryTraceSpan(this, rootMessage);
    }

    /// <summary>The trace's id: its start time (RFC 3339 with nanoseconds, as BanyanDB's liaison names its traces).</summary>
    public string Id { get; }

    /// <summary>The root span, started with the trace.</summary>
    public QueryTraceSpan Root { get; }

    /// <summary>
    /// A trace of the query <paramref name="request"/> when it asks for one (<paramref name="enabled"/>), its root span
    /// named <paramref name="rootMessage"/> and tagged with the request as JSON; null otherwise.
    /// </summary>
    public static QueryTrace? StartIf(bool enabled, string rootMessage, IMessage request)
    {
        if (!enabled)
        {
            return null;
        }

        QueryTrace trace = new(rootMessage, DateTimeOffset.UtcNow);
        string text = JsonFormatter.Default.Format(request);
        trace.Root.Tag("request", text.Length <= MaxRequestText ? text : string.Concat(text.AsSpan(0, MaxRequestText), "…"));
        return trace;
    }

    /// <summary>
    /// Runs <paramref name="query"/> under the root span and answers its response with the trace attached by
    /// <paramref name="attach"/>, the root tagged <paramref name="countTag"/> with <paramref name="count"/> of it; a query
    /// that fails marks the root failed and throws (a failed query answers its error, not a trace).
    /// </summary>
    public async Task<TResponse> AnswerAsync<TResponse>(Func<QueryTraceSpan, Task<TResponse>> query, string countTag, Func<TResponse, int> count, Action<TResponse, Trace> attach)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(count);
        ArgumentNullException.ThrowIfNull(attach);
        try
        {
            TResponse response = await query(Root);
            Root.Tag(countTag, count(response));
            attach(response, ToProto());
            return response;
        }
        catch (Exception e)
        {
            Root.Fail(e);
            throw;
        }
    }

    /// <summary>The trace as BanyanDB answers it; stops the spans still running (the root among them).</summary>
    public Trace ToProto()
    {
        Trace trace = new() { TraceId = Id };
        trace.Spans.Add(Root.ToProto());
        trace.Error = Root.IsError;
        return trace;
    }

    internal Timestamp Now(out long ticks)
    {
        ticks = Stopwatch.GetTimestamp();
        return Timestamp.FromDateTimeOffset(_anchor + Stopwatch.GetElapsedTime(_anchorTicks, ticks));
    }
}
