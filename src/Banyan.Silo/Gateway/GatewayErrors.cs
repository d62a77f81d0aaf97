using System.Text.Encodings.Web;
using System.Text.Json;
using Banyan.Silo.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Banyan.Silo.Gateway;

/// <summary>
/// How the HTTP gateway answers an error, as grpc-gateway does (<c>runtime.DefaultHTTPErrorHandler</c>): the gRPC status
/// the same exception gets on the gRPC endpoint (<see cref="ExceptionStatus"/>), as the JSON body
/// <c>{"code": &lt;gRPC code&gt;, "message": "...", "details": []}</c> with the HTTP status grpc-gateway gives that code
/// (<c>runtime.HTTPStatusFromCode</c>). One exception of the rule: a body over the size limit is 413, with code
/// RESOURCE_EXHAUSTED.
/// </summary>
internal static partial class GatewayErrors
{
    /// <summary>The media type of every gateway answer but the NDJSON writes.</summary>
    public const string JsonMediaType = "application/json";

    /// <summary>The HTTP status grpc-gateway answers for <paramref name="code"/>.</summary>
    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.OK => StatusCodes.Status200OK,
        StatusCode.Cancelled => StatusCodes.Status499ClientClosedRequest,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError, // Unknown, Internal, DataLoss
    };

    /// <summary>
    /// The gRPC status and HTTP status for <paramref name="exception"/> raised while serving <paramref name="rpc"/>
    /// (<c>/package.Service/Method</c>, named when the service left the message empty).
    /// </summary>
    public static (Status Status, int HttpStatus) Of(Exception exception, bool callCancelled, string rpc)
    {
        if (exception is RequestTooLargeException)
        {
            return (new Status(StatusCode.ResourceExhausted, exception.Message), StatusCodes.Status413PayloadTooLarge);
        }

        Status status = ExceptionStatus.Of(exception, callCancelled);
        if (status.StatusCode == StatusCode.Unimplemented && string.IsNullOrEmpty(status.Detail))
        {
            // The generated service base answers an RPC nobody overrides with an empty message.
            status = new Status(StatusCode.Unimplemented, $"{rpc} is not implemented by this server");
        }

        return (status, HttpStatusOf(status.StatusCode));
    }

    /// <summary>
    /// Answers <paramref name="exception"/> as the error body, or only logs it when the answer has already started
    /// (the client then sees the response end early).
    /// </summary>
    public static async Task WriteAsync(HttpContext http, Exception exception, string rpc, ILogger logger)
    {
        (Status status, int httpStatus) = Of(exception, http.RequestAborted.IsCancellationRequested, rpc);
        Log(logger, exception, status, http.Request.Method, http.Request.Path);
        if (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            await WriteStatusAsync(http.Response, status, httpStatus);
        }
    }

    /// <summary>Answers <paramref name="status"/> as the error body with <paramref name="httpStatus"/>.</summary>
    public static Task WriteStatusAsync(HttpResponse response, Status status, int httpStatus)
    {
        byte[] body = Body(status);
        response.StatusCode = httpStatus;
        response.ContentType = JsonMediaType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, response.HttpContext.RequestAborted).AsTask();
    }

    /// <summary>The error body of <paramref name="status"/>: <c>{"code":3,"message":"...","details":[]}</c>, UTF-8.</summary>
    public static byte[] Body(Status status)
    {
        using MemoryStream buffer = new();
        // Quotes and non-ASCII letters as they are: the message names fields and values ('g/sw') for people to read.
        using (Utf8JsonWriter json = new(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("code", (int)status.StatusCode);
            json.WriteString("message", status.Detail);
            json.WriteStartArray("details");
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Logs an answered error: server faults as errors with their stack, refusals at debug level.</summary>
    public static void Log(ILogger logger, Exception exception, Status status, string method, string path)
    {
        if (ExceptionStatus.IsServerFault(status))
        {
            LogServerFault(logger, exception, method, path);
        }
        else
        {
            LogRefused(logger, method, path, status.StatusCode, status.Detail);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "HTTP {Method} {Path} failed")]
    private static partial void LogServerFault(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP {Method} {Path} answered {Code}: {Detail}")]
    private static partial void LogRefused(ILogger logger, string method, string path, StatusCode code, string detail);
}

/// <summary>A request body (or an NDJSON line) larger than <see cref="SiloHostOptions.HttpMaxMessageSize"/>; answered 413.</summary>
/// <param name="what">What was too large, e.g. <c>The request body</c> or <c>line 3</c>.</param>
/// <param name="limit">The limit in bytes.</param>
internal sealed class RequestTooLargeException(string what, int limit)
    : Exception($"{what} is larger than the gateway's limit of {limit} bytes ({Size(limit)}, Silo:HttpMaxMessageSize)")
{
    private static string Size(int bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} B";
}
