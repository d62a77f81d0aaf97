using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Grains;

/// <summary>Registers grain storage providers by name (as Orleans' <c>AddXxxGrainStorage</c>).</summary>
public static class StorageHostingExtensions
{
    /// <summary>Adds a file storage provider named <paramref name="name"/> ("Default" serves [PersistentState] without a storage name).</summary>
    public static ISiloBuilder AddFileGrainStorage(this ISiloBuilder builder, string name, Action<FileGrainStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        FileGrainStorageOptions options = new();
        configure?.Invoke(options);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, new FileGrainStorage(options));
        return builder;
    }

    /// <summary>Adds a PostgreSQL storage provider named <paramref name="name"/>.</summary>
    public static ISiloBuilder AddPostgreSqlGrainStorage(this ISiloBuilder builder, string name, Action<PostgreSqlGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        PostgreSqlGrainStorageOptions options = new();
        configure(options);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (_, _) => new PostgreSqlGrainStorage(options));
        return builder;
    }

    /// <summary>Adds an in-memory storage provider named <paramref name="name"/>.</summary>
    public static ISiloBuilder AddMemoryGrainStorage(this ISiloBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, new MemoryGrainStorage());
        return builder;
    }

    /// <summary>Adds a storage provider instance under <paramref name="name"/> (e.g. one shared by the silos of a test).</summary>
    public static ISiloBuilder AddGrainStorage(this ISiloBuilder builder, string name, IGrainStorage storage)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddKeyedSingleton(name, storage);
        return builder;
    }
}
