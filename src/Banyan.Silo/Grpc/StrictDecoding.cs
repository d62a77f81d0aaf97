using Grpc.Core;

namespace Banyan.Silo.Grpc;

/// <summary>The status of a request message that does not decode (BanyanDB's grpc-go answers INTERNAL; see <see cref="StrictDecodingMethodProvider{TService}"/>).</summary>
public static class StrictDecoding
{
    /// <summary>INVALID_ARGUMENT naming the message type and the decoder's reason.</summary>
    public static RpcException NotDecodable(Type message, Exception reason)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        return new RpcException(new Status(StatusCode.InvalidArgument, $"The request is not a valid {message.Name} message: {reason.Message}"));
    }
}
