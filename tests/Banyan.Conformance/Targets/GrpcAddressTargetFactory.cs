using Grpc.Net.Client;

namespace Banyan.Conformance.Targets;

/// <summary>
/// A <see cref="GrpcTarget"/> on a server that is already running at <paramref name="address"/> (e.g. a silo started
/// by hand, or BanyanDB itself to check the harness). The server must be empty: the run creates every schema.
/// </summary>
/// <param name="name">The target's name in reports.</param>
/// <param name="address">The server's gRPC address, e.g. <c>http://127.0.0.1:17912</c>.</param>
public sealed class GrpcAddressTargetFactory(string name, Uri address) : IConformanceTargetFactory
{
    /// <summary>Environment variable naming a running server's gRPC address; when set, the test project adds this target.</summary>
    public const string AddressVariable = "BANYAN_CONFORMANCE_GRPC_ADDRESS";

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <summary>The server's address.</summary>
    public Uri Address { get; } = address;

    /// <inheritdoc/>
    public Task<ConformanceTargetLease> StartAsync(CancellationToken cancellationToken)
    {
        GrpcChannel channel = GrpcChannel.ForAddress(Address);
        return Task.FromResult(new ConformanceTargetLease(new GrpcTarget(channel, Name), () =>
        {
            channel.Dispose();
            return ValueTask.CompletedTask;
        }));
    }
}
