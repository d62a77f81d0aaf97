using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Banyan.Grains.Testing;

/// <summary>One silo of a test cluster.</summary>
public sealed class SiloHandle
{
    internal SiloHandle(string name, int siloPort, int gatewayPort, IHost host)
    {
        Name = name;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        Host = host;
        SiloAddress = host.Services.GetRequiredService<ISiloStatus>().SiloAddress;
    }

    /// <summary>The silo's name (Primary, Secondary_1, ...).</summary>
    public string Name { get; }

    /// <summary>The silo incarnation.</summary>
    public SiloAddress SiloAddress { get; }

    /// <summary>The silo port.</summary>
    public int SiloPort { get; }

    /// <summary>The gateway port.</summary>
    public int GatewayPort { get; }

    /// <summary>Whether the silo is running.</summary>
    public bool IsActive { get; internal set; } = true;

    internal IHost Host { get; }

    /// <summary>The silo's services.</summary>
    public IServiceProvider ServiceProvider => Host.Services;

    /// <summary>A grain factory whose calls start on this silo (as grain code running here would).</summary>
    public IGrainFactory GrainFactory => Host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Number of activations on this silo.</summary>
    public int ActivationCount => Host.Services.GetRequiredService<ISiloStatus>().ActivationCount;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({SiloAddress})";
}
