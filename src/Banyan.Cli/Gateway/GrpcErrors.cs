using System.Net.Sockets;
using Grpc.Core;

namespace Banyan.Cli.Gateway;

/// <summary>gRPC failures as one-line messages.</summary>
public static class GrpcErrors
{
    /// <summary>The error for a gRPC endpoint that could not be reached (UNAVAILABLE before any answer).</summary>
    public static CliException Unreachable(Uri address, RpcException e)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(e);
        string reason = Innermost(e.Status.DebugException) is SocketException socket ? socket.Message : e.Status.Detail;
        return new CliException(
            $"cannot reach the Banyan server at {address.GetLeftPart(UriPartial.Authority)} (gRPC): {reason.TrimEnd('.')} (is the silo running? --grpc-addr sets the address)",
            ExitCodes.Unreachable,
            e);
    }

    private static Exception? Innermost(Exception? e)
    {
        while (e?.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
