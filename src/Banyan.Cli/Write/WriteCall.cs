using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Cli.Write;

/// <summary>
/// One bidirectional <c>Write</c> call of BanyanDB's <c>StreamService</c> or <c>MeasureService</c>, seen as requests
/// out and (status name) answers in, so the bulk writer is the same for both.
/// </summary>
public abstract class WriteCall : IDisposable
{
    /// <summary>Opens the write call of <paramref name="target"/> on <paramref name="channel"/>.</summary>
    public static WriteCall Open(WriteTarget target, GrpcChannel channel, CancellationToken cancellation) => target == WriteTarget.Measure
        ? new Typed<MeasureV1.WriteRequest, MeasureV1.WriteResponse>(new MeasureV1.MeasureService.MeasureServiceClient(channel).Write(cancellationToken: cancellation), r => r.Status)
        : new Typed<StreamV1.WriteRequest, StreamV1.WriteResponse>(new StreamV1.StreamService.StreamServiceClient(channel).Write(cancellationToken: cancellation), r => r.Status);

    /// <summary>Sends one request (waits while HTTP/2 flow control holds it back).</summary>
    public abstract Task SendAsync(IMessage request);

    /// <summary>Tells the server no more requests come.</summary>
    public abstract Task CompleteAsync();

    /// <summary>The status name of the next answer, or null when the server has ended the call.</summary>
    /// <exception cref="RpcException">The call failed.</exception>
    public abstract Task<string?> NextStatusAsync(CancellationToken cancellation);

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Ends the call.</summary>
    protected abstract void Dispose(bool disposing);

    private sealed class Typed<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, Func<TResponse, string> status) : WriteCall
        where TRequest : class, IMessage
        where TResponse : class
    {
        public override Task SendAsync(IMessage request) => call.RequestStream.WriteAsync((TRequest)request);

        public override Task CompleteAsync() => call.RequestStream.CompleteAsync();

        public override async Task<string?> NextStatusAsync(CancellationToken cancellation) =>
            await call.ResponseStream.MoveNext(cancellation) ? status(call.ResponseStream.Current) : null;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                call.Dispose();
            }
        }
    }
}
