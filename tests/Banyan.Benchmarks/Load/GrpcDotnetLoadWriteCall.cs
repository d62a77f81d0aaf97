using Banyan.Api.Measure.V1;
using Grpc.Core;

namespace Banyan.Benchmarks.Load;

/// <summary>A write stream through Grpc.Net.Client: every message is written and flushed on its own.</summary>
public sealed class GrpcDotnetLoadWriteCall(MeasureService.MeasureServiceClient client, CancellationToken cancellationToken) : ILoadWriteCall
{
    private const string Succeed = "STATUS_SUCCEED";

    private readonly AsyncDuplexStreamingCall<WriteRequest, WriteResponse> _call = client.Write(cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public ValueTask WriteAsync(WriteRequest request, CancellationToken cancellationToken)
        => new(_call.RequestStream.WriteAsync(request, cancellationToken));

    /// <inheritdoc/>
    public Task CompleteAsync() => _call.RequestStream.CompleteAsync();

    /// <inheritdoc/>
    public async Task<(long Succeeded, long Failed, string? First)> ReadResponsesAsync(CancellationToken cancellationToken)
    {
        long succeeded = 0, failed = 0;
        string? first = null;
        while (await _call.ResponseStream.MoveNext(cancellationToken))
        {
            WriteResponse response = _call.ResponseStream.Current;
            if (response.Status == Succeed)
            {
                succeeded++;
            }
            else
            {
                failed++;
                first ??= $"message {response.MessageId}: {response.Status}";
            }
        }

        return (succeeded, failed, first);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        return ValueTask.CompletedTask;
    }
}
