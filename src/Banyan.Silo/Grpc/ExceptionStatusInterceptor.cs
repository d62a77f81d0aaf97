using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Banyan.Silo.Grpc;

/// <summary>
/// Turns every exception a gRPC service method throws into an <see cref="RpcException"/> with the status
/// <see cref="ExceptionStatus.Of"/> gives (typed errors to NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, UNAVAILABLE, …;
/// anything unexpected to INTERNAL with its message), so no service maps errors itself and no exception escapes as
/// gRPC's bare UNKNOWN. Unexpected exceptions are logged with their stack.
/// </summary>
public sealed partial class ExceptionStatusInterceptor(ILogger<ExceptionStatusInterceptor> logger) : Interceptor
{
    /// <inheritdoc/>
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    /// <inheritdoc/>
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    /// <inheritdoc/>
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    /// <inheritdoc/>
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    private RpcException Translate(Exception exception, ServerCallContext context)
    {
        Status status = ExceptionStatus.Of(exception, context.CancellationToken.IsCancellationRequested);
        if (ExceptionStatus.IsServerFault(status))
        {
            LogServerFault(exception, context.Method);
        }
        else
        {
            LogRefused(context.Method, status.StatusCode, status.Detail);
        }

        return new RpcException(status, exception.Message);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "gRPC {Method} failed")]
    private partial void LogServerFault(Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Debug, Message = "gRPC {Method} answered {Code}: {Detail}")]
    private partial void LogRefused(string method, StatusCode code, string detail);
}
