using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Serializers;

namespace Banyan.GrainInterfaces.Serialization;

/// <summary>Registers Banyan's serializers with Orleans; silos and clients call it alike (through <c>AddBanyan</c> and <c>AddBanyanClient</c>).</summary>
public static class BanyanSerialization
{
    // Libraries whose exceptions Banyan's errors may carry as their inner exception.
    private static readonly string[] s_causeNamespaces = ["Google.Protobuf", "Grpc.Core", "ZstdSharp"];

    /// <summary>Adds the protobuf message codec, copier and type filter (<see cref="ProtobufMessageCodec"/>).</summary>
    public static ISerializerBuilder AddBanyanSerializers(this ISerializerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(ProtobufMessageCodec)))
        {
            return builder;
        }

        services.AddSingleton<ProtobufMessageCodec>();
        services.AddSingleton<IGeneralizedCodec>(sp => sp.GetRequiredService<ProtobufMessageCodec>());
        services.AddSingleton<IGeneralizedCopier>(sp => sp.GetRequiredService<ProtobufMessageCodec>());
        services.AddSingleton<ITypeFilter>(sp => sp.GetRequiredService<ProtobufMessageCodec>());
        builder.Configure(options => options.WellKnownTypeAliases[ProtobufMessageCodec.WireAlias] = typeof(ProtobufMessageCodec));

        // Orleans serializes exceptions of its own and the framework's namespaces only; any other type in an exception
        // that crosses silos fails the whole answer with a CodecNotFoundException. Banyan's errors carry the parsers'
        // and codecs' errors as their causes (a damaged schema catalog: protobuf's InvalidProtocolBufferException), so
        // those libraries' exceptions are serialized as Orleans does the framework's: type, message, stack. The
        // engine's own two errors have surrogates that keep their fields (StorageCorruptionExceptionSurrogate).
        services.Configure<ExceptionSerializationOptions>(options =>
        {
            foreach (string prefix in s_causeNamespaces)
            {
                options.SupportedNamespacePrefixes.Add(prefix);
            }
        });
        return builder;
    }
}
