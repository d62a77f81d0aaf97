using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Silo.Tests.Data;

/// <summary>One bidirectional write exchange: send every request, complete, read every response (bounded).</summary>
public static class WriteExchange
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    /// <summary>Measure writes.</summary>
    public static Task<List<MeasureV1.WriteResponse>> MeasureAsync(global::Grpc.Net.Client.GrpcChannel channel, IEnumerable<MeasureV1.WriteRequest> requests)
        => RunAsync(new MeasureV1.MeasureService.MeasureServiceClient(channel).Write(deadline: DateTime.UtcNow.Add(s_bound)), requests);

    /// <summary>Stream writes.</summary>
    public static Task<List<StreamV1.WriteResponse>> StreamAsync(global::Grpc.Net.Client.GrpcChannel channel, IEnumerable<StreamV1.WriteRequest> requests)
        => RunAsync(new StreamV1.StreamService.StreamServiceClient(channel).Write(deadline: DateTime.UtcNow.Add(s_bound)), requests);

    private static async Task<List<TResponse>> RunAsync<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, IEnumerable<TRequest> requests)
    {
        using (call)
        {
            Task<List<TResponse>> reading = ReadAllAsync(call.ResponseStream);
            foreach (TRequest request in requests)
            {
                await call.RequestStream.WriteAsync(request);
            }

            await call.RequestStream.CompleteAsync();
            return await reading;
        }
    }

    private static async Task<List<TResponse>> ReadAllAsync<TResponse>(IAsyncStreamReader<TResponse> responses)
    {
        List<TResponse> all = [];
        while (await responses.MoveNext(CancellationToken.None))
        {
            all.Add(responses.Current);
        }

        return all;
    }
}
