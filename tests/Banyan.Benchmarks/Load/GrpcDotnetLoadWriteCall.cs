using Banyan.Api.Measure.V1;
using Grpc.Core;

namespace Banyan.Benchmarks.Load;

/// <summary>A write stream through Grpc.Net.Client: every message is written and flushed on its own.</summary>
public sealed class GrpcDotnetLoadWriteCall(MeasureService.MeasureServiceClient client, CancellationToken cancellationToken) : ILoadWriteCall
{
    private readonly AsyncDuplexStreamingCall<WriteRequest, WriteResponse> _call = client.Write(cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public ValueTask WriteAsync(WriteRequest request, CancellationToken cancellationToken)
        => new(_call.RequestStream.WriteAsync(request, cancellationToken));

    /// <inheritdoc/>
    public Task CompleteAsync() => _call.RequestStream.CompleteAsync();

    /// <inheritdoc/>
    public async Task<WriteResponseTally> ReadResponsesAsync(CancellationToken cancellationToken)
    {
        WriteResponseTally tally = new();
        while (await _call.ResponseStream.MoveNext(cancellationToken))
        {
            tally.Add(_call.ResponseStream.Current);
        }

        return tally;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        return ValueTask.CompletedTask;
    }
}
