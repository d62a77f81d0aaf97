using Banyan.Grains.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Banyan.Grains;

/// <summary>Registration and lookup of stream providers (as Orleans' <c>AddMemoryStreams</c> and <c>GetStreamProvider</c>).</summary>
public static class StreamingExtensions
{
    /// <summary>Adds an in-memory stream provider named <paramref name="name"/> to a silo.</summary>
    public static ISiloBuilder AddMemoryStreams(this ISiloBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Add(builder.Services, name);
        return builder;
    }

    /// <summary>Adds an in-memory stream provider named <paramref name="name"/> to a client.</summary>
    public static IClientBuilder AddMemoryStreams(this IClientBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Add(builder.Services, name);
        return builder;
    }

    /// <summary>The stream provider <paramref name="name"/> for this grain: deliveries to its subscriptions are turns of the grain.</summary>
    public static IStreamProvider GetStreamProvider(this Grain grain, string name)
    {
        ArgumentNullException.ThrowIfNull(grain);
        StreamProviderRegistration registration = grain.ServiceProvider.GetKeyedService<StreamProviderRegistration>(name)
            ?? throw new KeyNotFoundException($"No stream provider named '{name}' is registered in this silo (AddMemoryStreams).");
        return new MemoryStreamProvider(name, grain.GrainFactory, registration.Logger, grain.Activation, registration.Stopping);
    }

    /// <summary>The stream provider <paramref name="name"/> of a client.</summary>
    public static IStreamProvider GetStreamProvider(this IClusterClient client, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.ServiceProvider.GetKeyedService<IStreamProvider>(name)
            ?? throw new KeyNotFoundException($"No stream provider named '{name}' is registered in this client (AddMemoryStreams).");
    }

    private static void Add(IServiceCollection services, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        services.AddKeyedSingleton(name, (sp, _) => new StreamProviderRegistration(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Banyan.Grains.Streams." + name)));
        services.AddKeyedSingleton<IStreamProvider>(name, (sp, _) =>
        {
            StreamProviderRegistration registration = sp.GetRequiredKeyedService<StreamProviderRegistration>(name);
            return new MemoryStreamProvider(name, sp.GetRequiredService<IGrainFactory>(), registration.Logger, null, registration.Stopping);
        });
    }
}

/// <summary>Per-provider shared state: its logger and the token that stops its subscriptions when the host is disposed.</summary>
internal sealed class StreamProviderRegistration(ILogger logger) : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public ILogger Logger => logger;

    public CancellationToken Stopping => _stopping.Token;

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
