using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.Storage;
using Grpc.Core;

namespace Banyan.Silo.Grpc;

/// <summary>
/// The one table from exceptions raised by grains and services to gRPC status codes, with the exception's message
/// (which names the field and the reason for bad input). Used by <see cref="ExceptionStatusInterceptor"/>.
/// </summary>
public static class ExceptionStatus
{
    /// <summary>The status for <paramref name="exception"/>; <paramref name="callCancelled"/> says whether the client cancelled the call.</summary>
    public static Status Of(Exception exception, bool callCancelled)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            RpcException rpc => rpc.Status,
            SchemaValidationException => new Status(StatusCode.InvalidArgument, exception.Message),
            SchemaNotFoundException => new Status(StatusCode.NotFound, exception.Message),
            SchemaAlreadyExistsException => new Status(StatusCode.AlreadyExists, exception.Message),
            ShardUnavailableException or SiloUnavailableException or TimeoutException => new Status(StatusCode.Unavailable, exception.Message),
            QueryLimitException => new Status(StatusCode.ResourceExhausted, exception.Message),
            // gRPC's codes for these: a full disk is an exhausted resource, damaged bytes on disk are data loss (the
            // message names the file and the offset).
            ShardDiskFullException or StorageFullException => new Status(StatusCode.ResourceExhausted, exception.Message),
            StorageCorruptionException => new Status(StatusCode.DataLoss, exception.Message),
            NotSupportedException => new Status(StatusCode.Unimplemented, exception.Message),
            OperationCanceledException when callCancelled => new Status(StatusCode.Cancelled, "The call was cancelled."),
            _ => new Status(StatusCode.Internal, $"Internal error ({exception.GetType().Name}): {exception.Message}"),
        };
    }

    /// <summary>Whether <paramref name="status"/> reports a fault of the server (logged as an error) rather than of the request.</summary>
    public static bool IsServerFault(Status status) => status.StatusCode is StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss;
}
