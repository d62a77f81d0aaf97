using System.Collections.Concurrent;
using Banyan.Cli.Gateway;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using CommonV1 = Banyan.Api.Common.V1;

namespace Banyan.Cli.Write;

/// <summary>
/// Streams the rows of a source into one gRPC <c>Write</c> call with BanyanDB's protocol: the first request carries the
/// metadata (from the row, or from <c>-g</c>/<c>-n</c>) and the spec (CSV), later requests only their data; the server
/// answers each request once, in order, with a status name. At most <c>window</c> requests are unanswered at a time,
/// so memory stays bounded however large the file, and reading waits for the server rather than running ahead.
/// </summary>
public sealed class BulkWriter
{
    /// <summary>The status of a stored element.</summary>
    public const string Succeed = "STATUS_SUCCEED";

    private readonly WriteTarget _target;
    private readonly Uri _address;
    private readonly CommonV1.Metadata? _metadata;
    private readonly int _window;
    private readonly WriteStatistics _statistics;

    /// <summary>A writer to the gRPC endpoint <paramref name="address"/>.</summary>
    /// <param name="target">Stream or measure.</param>
    /// <param name="address">The gRPC endpoint.</param>
    /// <param name="metadata">The metadata for a first row that carries none (from <c>-g</c> and <c>-n</c>), or null.</param>
    /// <param name="window">How many requests may be unanswered at once (at least 1).</param>
    /// <param name="statistics">Where counts and failures go.</param>
    public BulkWriter(WriteTarget target, Uri address, CommonV1.Metadata? metadata, int window, WriteStatistics statistics)
    {
        _target = target;
        _address = address;
        _metadata = metadata;
        _window = Math.Max(1, window);
        _statistics = statistics;
    }

    /// <summary>What a status name means, for the failure list.</summary>
    public static string Explain(string status) => status switch
    {
        "STATUS_INVALID_TIMESTAMP" => "the timestamp is missing or out of range",
        "STATUS_NOT_FOUND" => "the group, stream or measure does not exist",
        "STATUS_EXPIRED_SCHEMA" => "the metadata's mod_revision is older than the schema's",
        "STATUS_SCHEMA_NOT_APPLIED" => "the schema revision is not applied on the server yet",
        "STATUS_INTERNAL_ERROR" => "the server could not store the element (a malformed element, or a shard that is down)",
        "STATUS_DISK_FULL" => "the server's disk is full",
        _ => "refused by the server",
    };

    /// <summary>Writes every row of <paramref name="source"/>; <paramref name="applySpec"/> sets the spec on the first request.</summary>
    /// <exception cref="InputFileException">The first row has no metadata and none was given with -g and -n.</exception>
    /// <exception cref="CliException">The endpoint cannot be reached (nothing was written).</exception>
    public async Task RunAsync(IWriteRowSource source, string sourceName, Action<IMessage>? applySpec, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(source);
        using GrpcChannel channel = GrpcChannel.ForAddress(_address, new GrpcChannelOptions { MaxSendMessageSize = 16 * 1024 * 1024 });
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using WriteCall call = WriteCall.Open(_target, channel, stop.Token);
        using SemaphoreSlim window = new(_window, _window);
        ConcurrentQueue<long> pending = new();
        Task<RpcException?> receiver = ReceiveAsync(call, pending, window, stop);
        bool first = true;
        long lastLine = 0;
        try
        {
            while (source.Next() is { } row)
            {
                _statistics.CountRead();
                lastLine = row.Line;
                if (row.Request is not { } request)
                {
                    _statistics.CountFailed(new WriteFailure(row.Line, "BAD_ROW", row.Error ?? "unreadable"));
                    continue;
                }

                if (first)
                {
                    if (WriteMessages.MetadataOf(request) is null)
                    {
                        if (_metadata is null)
                        {
                            throw new InputFileException(sourceName, row.Line, "the first row has no metadata: give -g GROUP and -n NAME, or write metadata in the first row");
                        }

                        WriteMessages.SetMetadata(request, _metadata.Clone());
                    }

                    applySpec?.Invoke(request);
                    first = false;
                }

                await window.WaitAsync(stop.Token);
                pending.Enqueue(row.Line);
                await call.SendAsync(request);
                _statistics.CountSent();
            }

            await call.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException && !cancellation.IsCancellationRequested)
        {
            // The call ended under the sender (the receiver has the reason); stop reading.
            await stop.CancelAsync();
        }

        RpcException? failure = await receiver;
        if (failure is null)
        {
            return;
        }

        if (_statistics.Acknowledged == 0 && _statistics.Failed == 0 && failure.StatusCode == StatusCode.Unavailable)
        {
            throw GrpcErrors.Unreachable(_address, failure);
        }

        // Whatever was sent and not answered is lost with the call; the rows after it were never sent.
        string status = StatusNames.Of(failure.StatusCode);
        while (pending.TryDequeue(out long line))
        {
            _statistics.CountFailed(new WriteFailure(line, status, $"the write call failed: {failure.Status.Detail}"));
        }

        throw new CliException(
            $"the write call failed ({status}: {failure.Status.Detail}); rows after line {lastLine} were not sent",
            ExitCodes.ServerError,
            failure);
    }

    private async Task<RpcException?> ReceiveAsync(WriteCall call, ConcurrentQueue<long> pending, SemaphoreSlim window, CancellationTokenSource stop)
    {
        try
        {
            while (await call.NextStatusAsync(CancellationToken.None) is { } status)
            {
                long line = pending.TryDequeue(out long l) ? l : 0;
                if (status == Succeed)
                {
                    _statistics.CountAcknowledged();
                }
                else
                {
                    _statistics.CountFailed(new WriteFailure(line, status, Explain(status)));
                }

                window.Release();
            }

            return null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
        {
            return null;
        }
        catch (RpcException e)
        {
            await stop.CancelAsync();
            return e;
        }
    }
}
