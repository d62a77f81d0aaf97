using System.Reflection;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Banyan.Silo.Gateway;

/// <summary>
/// One HTTP route of the gateway: an HTTP method and a path template in <c>google.api.http</c> form
/// (<c>/v1/stream/schema/{stream.metadata.group}/{stream.metadata.name}</c>, served under <c>/api</c>), bound to one RPC
/// of a gRPC service class the silo maps. A call resolves that service as the gRPC endpoint does
/// (<see cref="IGrpcServiceActivator{TGrpcService}"/>) and calls its method, so both endpoints run the same code.
/// </summary>
internal abstract partial class GatewayRoute
{
    private readonly string[] _segments;

    /// <summary>A route; <paramref name="path"/> and <paramref name="body"/> as in <c>google.api.http</c>.</summary>
    protected GatewayRoute(string httpMethod, string path, string body, MethodDescriptor rpc)
    {
        HttpMethod = httpMethod;
        Path = path;
        Body = body;
        Rpc = rpc;
        PathFields = [.. PathParameter().Matches(path).Select(m => m.Groups["field"].Value)];
        int index = 0;
        Template = GatewayRoutes.Prefix + PathParameter().Replace(path, _ => $"{{p{index++}}}");
        _segments = Template.Split('/', StringSplitOptions.RemoveEmptyEntries);
        FullMethodName = $"/{rpc.Service.FullName}/{rpc.Name}";
    }

    /// <summary>GET, POST, PUT or DELETE.</summary>
    public string HttpMethod { get; }

    /// <summary>The path template as upstream writes it, without the <c>/api</c> prefix.</summary>
    public string Path { get; }

    /// <summary><c>*</c> when the whole body is the request message, empty when there is no body (fields come from the query string).</summary>
    public string Body { get; }

    /// <summary>The RPC the route calls.</summary>
    public MethodDescriptor Rpc { get; }

    /// <summary>The request fields the path parameters set, in path order.</summary>
    public IReadOnlyList<string> PathFields { get; }

    /// <summary>The ASP.NET route template: <c>/api</c> + the path with parameters named <c>p0</c>, <c>p1</c>, ….</summary>
    public string Template { get; }

    /// <summary>The gRPC method name, <c>/banyandb.database.v1.StreamRegistryService/Create</c>.</summary>
    public string FullMethodName { get; }

    /// <summary>Serves one request.</summary>
    public abstract Task HandleAsync(HttpContext http, GatewayContext gateway);

    /// <summary>Whether <paramref name="path"/> (a request path) fits this route's template, whatever the method.</summary>
    public bool Matches(string path)
    {
        string[] segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length != _segments.Length)
        {
            return false;
        }

        for (int i = 0; i < segments.Length; i++)
        {
            if (!_segments[i].StartsWith('{') && !string.Equals(_segments[i], segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A route to <paramref name="rpc"/> of <paramref name="serviceType"/> (a class deriving from a generated
    /// <c>*Base</c>); unary RPCs get JSON in and out, bidirectional writes NDJSON.
    /// </summary>
    /// <exception cref="InvalidOperationException">The service has no such RPC, or it is not unary or bidirectional.</exception>
    public static GatewayRoute Create(Type serviceType, string httpMethod, string path, string body, string rpc)
    {
        ServiceDescriptor service = DescriptorOf(serviceType);
        MethodDescriptor method = service.FindMethodByName(rpc)
            ?? throw new InvalidOperationException($"{service.FullName} has no RPC '{rpc}'.");
        Type definition = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => typeof(UnaryRoute<,,>),
            (true, true) => typeof(NdjsonWriteRoute<,,>),
            _ => throw new InvalidOperationException($"{service.FullName}/{rpc} streams one way only; the gateway serves unary RPCs and bidirectional writes."),
        };
        Type route = definition.MakeGenericType(serviceType, method.InputType.ClrType, method.OutputType.ClrType);
        return (GatewayRoute)Activator.CreateInstance(route, httpMethod, path, body, method)!;
    }

    // The generated static class holding a service's *Base class also holds its descriptor.
    private static ServiceDescriptor DescriptorOf(Type serviceType)
    {
        for (Type? type = serviceType; type is not null; type = type.BaseType)
        {
            if (type.DeclaringType?.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is ServiceDescriptor descriptor)
            {
                return descriptor;
            }
        }

        throw new InvalidOperationException($"{serviceType} does not derive from a generated gRPC service base.");
    }

    [GeneratedRegex(@"\{(?<field>[a-z_.]+)\}")]
    private static partial Regex PathParameter();

    /// <summary>Calls the service's method with the service activated as for a gRPC call, and releases it after.</summary>
    protected static async Task<T> WithServiceAsync<TService, T>(HttpContext http, Func<TService, Task<T>> call)
        where TService : class
    {
        IGrpcServiceActivator<TService> activator = http.RequestServices.GetRequiredService<IGrpcServiceActivator<TService>>();
        GrpcActivatorHandle<TService> handle = activator.Create(http.RequestServices);
        try
        {
            return await call(handle.Instance);
        }
        finally
        {
            await activator.ReleaseAsync(handle);
        }
    }

    /// <summary>The method <paramref name="name"/>(<paramref name="parameters"/>) of <typeparamref name="TService"/> as a delegate taking the service first.</summary>
    protected static TDelegate Bind<TService, TDelegate>(string name, params Type[] parameters)
        where TDelegate : Delegate
        => (typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)
                ?? throw new InvalidOperationException($"{typeof(TService)} has no public method {name}({string.Join(", ", parameters.Select(p => p.Name))})."))
            .CreateDelegate<TDelegate>();
}

/// <summary>What every route needs from the host: the limits and a logger.</summary>
/// <param name="MaxMessageBytes">The largest unary body or NDJSON line (<see cref="SiloHostOptions.HttpMaxMessageSize"/>).</param>
/// <param name="Logger">Where answered errors are logged.</param>
internal sealed record GatewayContext(int MaxMessageBytes, ILogger Logger)
{
    /// <summary>The context of the host's services.</summary>
    public static GatewayContext From(IServiceProvider services) => new(
        services.GetRequiredService<IOptions<SiloHostOptions>>().Value.HttpMaxMessageSize,
        services.GetRequiredService<ILoggerFactory>().CreateLogger("Banyan.Silo.Gateway"));
}

/// <summary>A unary RPC: the request from the body (<c>body: "*"</c>) or the query string, then the path; the response as JSON.</summary>
internal sealed class UnaryRoute<TService, TRequest, TResponse>(string httpMethod, string path, string body, MethodDescriptor rpc)
    : GatewayRoute(httpMethod, path, body, rpc)
    where TService : class
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TService, TRequest, ServerCallContext, Task<TResponse>> _call =
        Bind<TService, Func<TService, TRequest, ServerCallContext, Task<TResponse>>>(rpc.Name, typeof(TRequest), typeof(ServerCallContext));

    /// <inheritdoc/>
    public override async Task HandleAsync(HttpContext http, GatewayContext gateway)
    {
        try
        {
            TRequest request;
            if (Body == "*")
            {
                request = await GatewayCodec.ReadBodyAsync<TRequest>(http.Request, gateway.MaxMessageBytes);
            }
            else
            {
                request = new TRequest();
                GatewayCodec.BindQuery(request, http.Request.Query, PathFields);
            }

            for (int i = 0; i < PathFields.Count; i++)
            {
                GatewayCodec.BindPathParameter(request, PathFields[i], (string)http.Request.RouteValues[$"p{i}"]!);
            }

            GatewayCallContext context = new(http, FullMethodName);
            TResponse response = await WithServiceAsync<TService, TResponse>(http, service => _call(service, request, context));
            await GatewayCodec.WriteAsync(http.Response, response);
        }
        catch (Exception e)
        {
            await GatewayErrors.WriteAsync(http, e, FullMethodName, gateway.Logger);
        }
    }
}

/// <summary>A bidirectional write: NDJSON requests in, NDJSON responses out, through the service's own write stream (<see cref="NdjsonWriteExchange{TRequest, TResponse}"/>).</summary>
internal sealed class NdjsonWriteRoute<TService, TRequest, TResponse>(string httpMethod, string path, string body, MethodDescriptor rpc)
    : GatewayRoute(httpMethod, path, body, rpc)
    where TService : class
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> _call =
        Bind<TService, Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(
            rpc.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));

    /// <inheritdoc/>
    public override async Task HandleAsync(HttpContext http, GatewayContext gateway)
    {
        using NdjsonWriteExchange<TRequest, TResponse> exchange = new(http, gateway.MaxMessageBytes, FullMethodName);
        GatewayCallContext context = new(http, FullMethodName);
        try
        {
            await WithServiceAsync<TService, bool>(http, async service =>
            {
                await _call(service, exchange, exchange, context);
                return true;
            });
            await exchange.CompleteAsync(http.RequestAborted);
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            (Status status, int httpStatus) = GatewayErrors.Of(e, callCancelled: false, FullMethodName);
            GatewayErrors.Log(gateway.Logger, e, status, http.Request.Method, http.Request.Path);
            await exchange.FailAsync(status, httpStatus, http.RequestAborted);
        }
    }
}
