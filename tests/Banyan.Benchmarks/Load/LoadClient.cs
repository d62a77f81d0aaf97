namespace Banyan.Benchmarks.Load;

/// <summary>How the load generator sends its write streams (<c>load --client</c>).</summary>
public enum LoadClient
{
    /// <summary>
    /// Raw HTTP/2 (<see cref="CoalescingLoadWriteCall"/>): many messages per DATA frame, as grpc-java's Netty transport
    /// sends a burst of <c>onNext</c> calls (SkyWalking's OAP writes to BanyanDB through grpc-java).
    /// </summary>
    Coalescing,

    /// <summary>Grpc.Net.Client (<see cref="GrpcDotnetLoadWriteCall"/>): it flushes every message as its own DATA frame.</summary>
    GrpcDotnet,
}
