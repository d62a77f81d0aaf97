using System.Diagnostics;
using Banyan.Api.Common.V1;
using Google.Protobuf.WellKnownTypes;
using Span = Banyan.Api.Common.V1.Span;

namespace Banyan.Grains.Queries;

/// <summary>
/// One span of a <see cref="QueryTrace"/>: started when made, stopped by <see cref="Stop"/> or <see cref="Dispose"/>
/// (or when the trace is answered), failed by <see cref="Fail"/>. Safe to use from parallel reads.
/// </summary>
public sealed class QueryTraceSpan : IDisposable
{
    private readonly QueryTrace _trace;
    private readonly object _gate = new();
    private readonly Timestamp _start;
    private readonly long _startTicks;
    private readonly List<QueryTraceSpan> _children = [];
    private readonly List<(string Key, string Value)> _tags = [];
    private Timestamp? _end;
    private long _endTicks;
    private int _ignoredChildren;

    internal QueryTraceSpan(QueryTrace trace, string message)
    {
        _trace = trace;
        Message = message;
        _start = trace.Now(out _startTicks);
    }

    /// <summary>What the span did.</summary>
    public string Message { get; }

    /// <summary>Whether the span failed.</summary>
    public bool IsError { get; private set; }

    /// <summary>A child span, started now; past <see cref="QueryTrace.MaxChildren"/> children it is timed but not kept.</summary>
    public QueryTraceSpan Child(string message)
    {
        QueryTraceSpan child = new(_trace, message);
        lock (_gate)
        {
            if (_children.Count < QueryTrace.MaxChildren)
            {
                _children.Add(child);
            }
            else
            {
                _ignoredChildren++;
            }
        }

        return child;
    }

    /// <summary>Adds a tag; returns this span.</summary>
    public QueryTraceSpan Tag(string key, string value)
    {
        lock (_gate)
        {
            _tags.Add((key, value));
        }

        return this;
    }

    /// <summary>Adds a tag with a number; returns this span.</summary>
    public QueryTraceSpan Tag(string key, long value) => Tag(key, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Marks the span failed with <paramref name="exception"/>'s type and message, and stops it.</summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        lock (_gate)
        {
            IsError = true;
            _tags.Add(("error", $"{exception.GetType().Name}: {exception.Message}"));
        }

        Stop();
    }

    /// <summary>Stops the span (the first stop counts).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _end ??= _trace.Now(out _endTicks);
        }
    }

    /// <summary>Stops the span.</summary>
    public void Dispose() => Stop();

    /// <summary>Times <paramref name="work"/> as this span: stopped when it completes, failed when it throws.</summary>
    public async Task<T> TimeAsync<T>(Task<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            T result = await work.ConfigureAwait(false);
            Stop();
            return result;
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }

    internal Span ToProto()
    {
        Stop();
        lock (_gate)
        {
            Span span = new()
            {
                StartTime = _start,
                EndTime = _end,
                Duration = (long)Stopwatch.GetElapsedTime(_startTicks, _endTicks).TotalNanoseconds,
                Error = IsError,
                Message = Message,
            };
            foreach ((string key, string value) in _tags)
            {
                span.Tags.Add(new Banyan.Api.Common.V1.Tag { Key = key, Value = value });
            }

            if (_ignoredChildren > 0)
            {
                span.Tags.Add(new Banyan.Api.Common.V1.Tag { Key = "ignored_children", Value = _ignoredChildren.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }

            foreach (QueryTraceSpan child in _children)
            {
                span.Children.Add(child.ToProto());
            }

            return span;
        }
    }
}
