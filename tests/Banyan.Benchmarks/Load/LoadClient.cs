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

    /// <summary>
    /// <see cref="Coalescing"/> with every message encoded and framed before the timed phase (<see cref="LoadWriter.Prepare"/>),
    /// so the write phase only copies bytes to the connection and counts the responses: the peer scripts do the same for
    /// VictoriaMetrics (bench.py posts a JSON-lines file generated beforehand), and on two shared cores the client's
    /// encoding would otherwise take CPU the server is measured on. The bytes are those <see cref="Coalescing"/> sends.
    /// </summary>
    Prepared,
}
