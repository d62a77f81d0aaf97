namespace Banyan.Silo;

/// <summary>
/// The host's own endpoints, read from the <c>Silo</c> section beside the silo settings
/// (<c>Silo__HttpUrl</c>, <c>--Silo:GrpcUrl=</c>, ...). Loopback by default so a fresh silo is not exposed.
/// </summary>
public sealed class SiloHostOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Silo";

    /// <summary>HTTP/1.1 endpoint: BanyanDB's gateway paths under <c>/api</c> (<c>Gateway/GatewayRoutes.cs</c>) and <c>/api/healthz</c>.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:17913";

    /// <summary>HTTP/2-only endpoint (gRPC without TLS needs prior-knowledge HTTP/2): BanyanDB's gRPC port, <c>grpc.health.v1.Health</c>.</summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:17912";

    /// <summary>
    /// The largest gRPC message the silo accepts, in bytes (16 MiB, BanyanDB's liaison default <c>max-recv-msg-size</c>);
    /// a larger one is refused with RESOURCE_EXHAUSTED.
    /// </summary>
    public int GrpcMaxReceiveMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The largest JSON message the HTTP gateway accepts, in bytes: a unary request body, or one line of an NDJSON write
    /// (16 MiB, BanyanDB's limit). A larger body is refused with HTTP 413 before it is held in memory; a larger line is
    /// answered with its own error and skipped.
    /// </summary>
    public int HttpMaxMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// How long a graceful stop (SIGTERM, Ctrl+C) may take: Kestrel drains, grains deactivate (shards flush their memory
    /// parts) and the silo leaves the cluster. Past it the host stops the rest ungracefully; nothing acknowledged is lost
    /// (it is in the WAL) but the next start replays more. 30 s, .NET's own default; on Kubernetes keep it below the pod's
    /// termination grace period (the Helm chart sets it 10 s below).
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the silo compiles its own code on a background thread as it starts (<see cref="StartupPrecompiler"/>):
    /// 1.5-2 s of one core, mostly while Orleans starts, after which its first writes and queries no longer compile
    /// methods on their own threads. True by default; false leaves each method to its first call.
    /// </summary>
    public bool PrecompileAtStart { get; set; } = true;

    /// <summary>How the messages of bidirectional write streams are cut into grain calls.</summary>
    public Data.WriteBatchingOptions WriteBatching { get; set; } = new();

    /// <summary>Checks the settings; the message names the key.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (GrpcMaxReceiveMessageSize <= 0)
        {
            throw new ArgumentException($"Silo:GrpcMaxReceiveMessageSize is {GrpcMaxReceiveMessageSize}; it must be a positive number of bytes.");
        }

        if (HttpMaxMessageSize <= 0)
        {
            throw new ArgumentException($"Silo:HttpMaxMessageSize is {HttpMaxMessageSize}; it must be a positive number of bytes.");
        }

        if (ShutdownTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:ShutdownTimeout is {ShutdownTimeout}; it must be positive (e.g. 00:00:30).");
        }

        WriteBatching.Validate();
    }
}
