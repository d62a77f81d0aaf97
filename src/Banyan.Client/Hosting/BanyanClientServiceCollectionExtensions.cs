using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Banyan.Client.Hosting;

/// <summary>
/// <c>services.AddBanyanClient(configuration)</c>: an Orleans cluster client wired for Banyan (clustering from the
/// settings, Banyan's serializers) and a <see cref="BanyanClient"/> over it, both singletons. The client connects when
/// the host starts (Orleans runs it as a hosted service), so use it from a generic host or ASP.NET Core.
/// </summary>
public static class BanyanClientServiceCollectionExtensions
{
    /// <summary>Reads the settings from <paramref name="configuration"/>'s section <paramref name="sectionName"/> (<c>Banyan:Client</c> by default; a missing section means the embedded defaults: one silo on 127.0.0.1 with gateway port 30000).</summary>
    /// <exception cref="BanyanClientSettingException">A setting is unknown, malformed, missing or out of range; the message names its full key.</exception>
    public static IServiceCollection AddBanyanClient(this IServiceCollection services, IConfiguration configuration, string sectionName = BanyanClientOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(sectionName);
        return services.AddBanyanClientCore(BanyanClientConfiguration.Read(configuration.GetSection(sectionName)));
    }

    /// <summary>Uses the settings <paramref name="configure"/> makes on the defaults.</summary>
    /// <exception cref="BanyanClientSettingException">A setting is missing or out of range.</exception>
    public static IServiceCollection AddBanyanClient(this IServiceCollection services, Action<BanyanClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        BanyanClientOptions options = new();
        configure(options);
        options.Validate();
        return services.AddBanyanClientCore(options);
    }

    /// <summary>Reads the settings from the host's configuration, section <paramref name="sectionName"/> (see the <see cref="IServiceCollection"/> overload).</summary>
    /// <exception cref="BanyanClientSettingException">When the host is built: a setting is unknown, malformed, missing or out of range.</exception>
    public static IHostBuilder AddBanyanClient(this IHostBuilder builder, string sectionName = BanyanClientOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sectionName);
        return builder.ConfigureServices((context, services) => services.AddBanyanClient(context.Configuration, sectionName));
    }

    /// <summary>Uses the settings <paramref name="configure"/> makes on the defaults, given the host's context.</summary>
    /// <exception cref="BanyanClientSettingException">When the host is built: a setting is missing or out of range.</exception>
    public static IHostBuilder AddBanyanClient(this IHostBuilder builder, Action<HostBuilderContext, BanyanClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.ConfigureServices((context, services) => services.AddBanyanClient(options => configure(context, options)));
    }

    private static IServiceCollection AddBanyanClientCore(this IServiceCollection services, BanyanClientOptions options)
    {
        services.AddOrleansClient(client => client.AddBanyanClient(options));
        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new BanyanClient(sp.GetRequiredService<IClusterClient>(), options.Writer, sp.GetService<TimeProvider>()));
        return services;
    }
}
