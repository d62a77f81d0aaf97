using Banyan.Api.Measure.V1;

namespace Banyan.Benchmarks.Load;

/// <summary>One <c>MeasureService/Write</c> bidirectional stream of the load generator, whatever client sends it.</summary>
public interface ILoadWriteCall : IAsyncDisposable
{
    /// <summary>Sends one message (it may be buffered until the client's next flush; see the implementations).</summary>
    ValueTask WriteAsync(WriteRequest request, CancellationToken cancellationToken);

    /// <summary>Sends what is buffered and ends the request stream.</summary>
    Task CompleteAsync();

    /// <summary>Counts the responses until the server ends the stream.</summary>
    Task<WriteResponseTally> ReadResponsesAsync(CancellationToken cancellationToken);
}
