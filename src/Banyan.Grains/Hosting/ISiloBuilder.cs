using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Grains;

/// <summary>Configures a silo (as Orleans' <c>ISiloBuilder</c>).</summary>
public interface ISiloBuilder
{
    /// <summary>The host's services, where the silo's services are added.</summary>
    IServiceCollection Services { get; }

    /// <summary>The host's configuration.</summary>
    IConfiguration Configuration { get; }
}

/// <summary>Configures a cluster client (as Orleans' <c>IClientBuilder</c>).</summary>
public interface IClientBuilder
{
    /// <summary>The host's services, where the client's services are added.</summary>
    IServiceCollection Services { get; }

    /// <summary>The host's configuration.</summary>
    IConfiguration Configuration { get; }
}

internal sealed class SiloBuilder(IServiceCollection services, IConfiguration configuration) : ISiloBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration Configuration { get; } = configuration;
}

internal sealed class ClientBuilder(IServiceCollection services, IConfiguration configuration) : IClientBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration Configuration { get; } = configuration;
}
