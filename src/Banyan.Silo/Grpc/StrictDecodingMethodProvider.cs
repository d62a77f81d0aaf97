using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Banyan.Silo.Grpc;

/// <summary>Installs <see cref="StrictDecodingMethodProvider{TService}"/> in place of Grpc.AspNetCore's binder.</summary>
public static class StrictDecodingMethodProvider
{
    private const string ReplacedProvider = "BinderServiceMethodProvider`1";

    /// <summary>Replaces Grpc.AspNetCore's binder (registered by <c>AddGrpc</c>) with this provider for every service.</summary>
    /// <exception cref="InvalidOperationException"><c>AddGrpc</c> was not called, or Grpc.AspNetCore registers its binder differently (the methods would be bound twice).</exception>
    public static void ReplaceDefaultBinder(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        ServiceDescriptor? binder = services.FirstOrDefault(d =>
            d.ServiceType == typeof(IServiceMethodProvider<>) && d.ImplementationType is { Name: ReplacedProvider });
        if (binder is null)
        {
            throw new InvalidOperationException($"Grpc.AspNetCore's {ReplacedProvider} is not registered (call AddGrpc first, or this Grpc.AspNetCore version binds services differently); gRPC methods cannot be bound with strict decoding.");
        }

        services.Remove(binder);
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(StrictDecodingMethodProvider<>)));
    }
}

/// <summary>
/// Binds the methods of every gRPC service the silo maps, as Grpc.AspNetCore's own binder does (the generated
/// <c>BindService</c> found through <see cref="BindServiceMethodAttribute"/>, the service's public override of each method),
/// with one difference: a request message that does not decode is answered INVALID_ARGUMENT with the decoder's
/// reason. Grpc.AspNetCore decodes a unary request before interceptors run and answers UNKNOWN ("Exception was thrown
/// by handler.") when that fails; BanyanDB (grpc-go) answers INTERNAL. Bidi and client-streaming requests decode
/// inside the handler, and get the same INVALID_ARGUMENT from the same decoder. Responses are encoded as generated,
/// but for the two write responses (<see cref="WriteResponseMarshaller"/>) and the measure query answer
/// (<see cref="MeasureQueryResponseEncoder"/>), which give the same bytes with less work.
/// </summary>
/// <typeparam name="TService">The service implementation.</typeparam>
public sealed class StrictDecodingMethodProvider<TService> : IServiceMethodProvider<TService>
    where TService : class
{
    /// <inheritdoc/>
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        for (Type? type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute)
            {
                MethodInfo bind = attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.Static, [typeof(ServiceBinderBase), type])
                    ?? throw new InvalidOperationException($"{attribute.BindType}.{attribute.BindMethodName}(ServiceBinderBase, {type}) does not exist.");
                bind.Invoke(null, [new Binder(context, type), null]);
                return;
            }
        }
    }

    private static Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method)
    {
        Func<DeserializationContext, TRequest> decode = method.RequestMarshaller.ContextualDeserializer;
        Marshaller<TRequest> request = new(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return decode(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw StrictDecoding.NotDecodable(typeof(TRequest), e);
            }
        });
        // The write responses (one per data point) are encoded by WriteResponseMarshaller, the measure query answer by
        // MeasureQueryResponseEncoder; every other message as generated.
        Marshaller<TResponse> response = MeasureQueryResponseEncoder.For(WriteResponseMarshaller.For(method.ResponseMarshaller));
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, request, response);
    }

    // Receives the generated BindService's methods (with null handlers: the service instance comes per call) and adds
    // each with a delegate to the service's own override, found as Grpc.AspNetCore's binder finds it.
    private sealed class Binder(ServiceMethodProviderContext<TService> context, Type declaringType) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            (UnaryServerMethod<TService, TRequest, TResponse> invoker, List<object> metadata) = Bind<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)]);
            context.AddUnaryMethod(Strict(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            (ClientStreamingServerMethod<TService, TRequest, TResponse> invoker, List<object> metadata) = Bind<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)]);
            context.AddClientStreamingMethod(Strict(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            (ServerStreamingServerMethod<TService, TRequest, TResponse> invoker, List<object> metadata) = Bind<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddServerStreamingMethod(Strict(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            (DuplexStreamingServerMethod<TService, TRequest, TResponse> invoker, List<object> metadata) = Bind<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddDuplexStreamingMethod(Strict(method), metadata, invoker);
        }

        private (TDelegate Invoker, List<object> Metadata) Bind<TDelegate>(string name, Type[] parameters)
            where TDelegate : Delegate
        {
            MethodInfo handler = FindOverride(name, parameters)
                ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");
            List<object> metadata = [.. typeof(TService).GetCustomAttributes(inherit: true), .. handler.GetCustomAttributes(inherit: true)];
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
        }

        // The public instance method overriding the generated base's virtual method (the base's own method answers UNIMPLEMENTED).
        private MethodInfo? FindOverride(string name, Type[] parameters)
        {
            for (Type? type = typeof(TService); type is not null; type = type.BaseType)
            {
                MethodInfo? candidate = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, binder: null, parameters, modifiers: null);
                if (candidate is null)
                {
                    return null;
                }

                if (candidate.IsVirtual && candidate.GetBaseDefinition().DeclaringType == declaringType)
                {
                    return candidate;
                }
            }

            return null;
        }
    }
}
