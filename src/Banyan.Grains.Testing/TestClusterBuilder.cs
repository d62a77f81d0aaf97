namespace Banyan.Grains.Testing;

/// <summary>Configures a silo of a test cluster (as Orleans' <c>ISiloConfigurator</c>).</summary>
public interface ISiloConfigurator
{
    /// <summary>Adds to the silo's configuration.</summary>
    void Configure(ISiloBuilder siloBuilder);
}

/// <summary>Configures the client of a test cluster (as Orleans' <c>IClientBuilderConfigurator</c>).</summary>
public interface IClientBuilderConfigurator
{
    /// <summary>Adds to the client's configuration.</summary>
    void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder);
}

/// <summary>Options of a test cluster.</summary>
public sealed class TestClusterOptions
{
    /// <summary>Silos started by <see cref="TestCluster.DeployAsync"/> (default 2, as Orleans).</summary>
    public short InitialSilosCount { get; set; } = 2;

    /// <summary>Use the HTTP/2 network transport on 127.0.0.1 with free ports instead of the in-memory network.</summary>
    public bool UseNetworkTransport { get; set; }

    /// <summary>The cluster id.</summary>
    public string ClusterId { get; set; } = "testcluster";
}

/// <summary>Builds a <see cref="TestCluster"/> (as Orleans' <c>TestClusterBuilder</c>).</summary>
public sealed class TestClusterBuilder
{
    private readonly List<ISiloConfigurator> _siloConfigurators = [];
    private readonly List<IClientBuilderConfigurator> _clientConfigurators = [];

    /// <summary>Creates a builder for <paramref name="initialSilosCount"/> silos.</summary>
    public TestClusterBuilder(short initialSilosCount = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialSilosCount, (short)1);
        Options.InitialSilosCount = initialSilosCount;
    }

    /// <summary>The options of the cluster to build.</summary>
    public TestClusterOptions Options { get; } = new();

    /// <summary>Applies <typeparamref name="TConfigurator"/> to every silo.</summary>
    public TestClusterBuilder AddSiloBuilderConfigurator<TConfigurator>()
        where TConfigurator : ISiloConfigurator, new()
    {
        _siloConfigurators.Add(new TConfigurator());
        return this;
    }

    /// <summary>Applies <paramref name="configurator"/> to every silo.</summary>
    public TestClusterBuilder AddSiloBuilderConfigurator(ISiloConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        _siloConfigurators.Add(configurator);
        return this;
    }

    /// <summary>Applies <typeparamref name="TConfigurator"/> to the client.</summary>
    public TestClusterBuilder AddClientBuilderConfigurator<TConfigurator>()
        where TConfigurator : IClientBuilderConfigurator, new()
    {
        _clientConfigurators.Add(new TConfigurator());
        return this;
    }

    /// <summary>Applies <paramref name="configurator"/> to the client.</summary>
    public TestClusterBuilder AddClientBuilderConfigurator(IClientBuilderConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        _clientConfigurators.Add(configurator);
        return this;
    }

    /// <summary>Creates the cluster; call <see cref="TestCluster.DeployAsync"/> to start it.</summary>
    public TestCluster Build() => new(Options, [.. _siloConfigurators], [.. _clientConfigurators]);
}
