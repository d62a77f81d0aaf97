using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Serializers;

namespace Banyan.GrainInterfaces.Serialization;

/// <summary>Registers Banyan's serializers with Orleans; silos and clients call it alike (through <c>AddBanyan</c> and <c>AddBanyanClient</c>).</summary>
public static class BanyanSerialization
{
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
        return builder;
    }
}
