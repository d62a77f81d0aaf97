using Banyan.Silo.Grpc;
using Banyan.Silo.Tests.Infrastructure;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Silo.Tests.Grpc;

/// <summary>
/// The methods the silo serves are bound through <see cref="StrictDecodingMethodProvider{TService}"/>: every request is
/// decoded by its strict wrapper, and the three hot answers are encoded by the silo's own encoders (same bytes, less work;
/// their own tests compare the bytes). Without this wiring the encoders' tests would still pass while the silo served
/// through the generated code.
/// </summary>
public sealed class StrictDecodingMethodProviderTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>
{
    [Theory]
    [InlineData("/banyandb.measure.v1.MeasureService/Query", typeof(MeasureQueryResponseEncoder))]
    [InlineData("/banyandb.measure.v1.MeasureService/Write", typeof(WriteResponseMarshaller))]
    [InlineData("/banyandb.stream.v1.StreamService/Write", typeof(WriteResponseMarshaller))]
    [InlineData("/banyandb.common.v1.Service/GetAPIVersion", null)]
    [InlineData("/banyandb.stream.v1.StreamService/Query", null)]
    public void Each_served_method_decodes_strictly_and_encodes_its_answer_as_bound(string path, Type? encoder)
    {
        object method = Assert.Single(ServedMethods(), m => m.Path == path).Method;

        Assert.Equal(typeof(StrictDecodingMethodProvider<>), OwnerOf(Serializer(method, "RequestMarshaller", "ContextualDeserializer")).GetGenericTypeDefinition());
        Type answeredBy = OwnerOf(Serializer(method, "ResponseMarshaller", "ContextualSerializer"));
        if (encoder is null)
        {
            Assert.False(answeredBy == typeof(MeasureQueryResponseEncoder) || answeredBy == typeof(WriteResponseMarshaller), $"{path} is answered by {answeredBy}");
        }
        else
        {
            Assert.Equal(encoder, answeredBy);
        }
    }

    [Fact]
    public void Every_served_method_decodes_strictly()
    {
        List<(string Path, object Method)> methods = ServedMethods();

        Assert.True(methods.Count > 30, $"{methods.Count} gRPC methods served");
        Assert.All(methods, m => Assert.Equal(typeof(StrictDecodingMethodProvider<>), OwnerOf(Serializer(m.Method, "RequestMarshaller", "ContextualDeserializer")).GetGenericTypeDefinition()));
    }

    private List<(string Path, object Method)> ServedMethods() =>
    [
        .. fixture.Host.Services.GetServices<EndpointDataSource>()
            .SelectMany(s => s.Endpoints)
            .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>())
            .OfType<GrpcMethodMetadata>()
            .Select(m => (m.Method.FullName, (object)m.Method)),
    ];

    // The delegate a Method<TRequest, TResponse>'s marshaller runs (reflection: the method's types vary by service).
    private static Delegate Serializer(object method, string marshaller, string function)
    {
        object chosen = method.GetType().GetProperty(marshaller)!.GetValue(method)!;
        return (Delegate)chosen.GetType().GetProperty(function)!.GetValue(chosen)!;
    }

    // The type whose code the delegate runs: the declaring type of its method, or of the class a lambda's closure is
    // nested in.
    private static Type OwnerOf(Delegate function)
    {
        Type type = function.Method.DeclaringType!;
        while (type.IsNested && type.Name.StartsWith('<'))
        {
            type = type.DeclaringType!;
        }

        return type;
    }
}
