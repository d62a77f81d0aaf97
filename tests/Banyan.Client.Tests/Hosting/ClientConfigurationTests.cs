using Banyan.Client.Hosting;
using Banyan.GrainInterfaces.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Banyan.Client.Tests.Hosting;

/// <summary>Reading <c>Banyan:Client</c>: defaults, every kind of value, and an error naming the full key for each bad setting.</summary>
public sealed class ClientConfigurationTests
{
    [Fact]
    public void An_absent_section_gives_the_embedded_defaults()
    {
        BanyanClientOptions options = BanyanClientConfiguration.Read(Section([]));

        Assert.Equal(ClusterMode.Localhost, options.Cluster.Mode);
        Assert.Equal([30000], options.GatewayPorts);
        Assert.Equal("banyan", options.Cluster.ClusterId);
        Assert.Equal(1000, options.Writer.BatchSize);
        Assert.Equal(8, options.Writer.MaxInFlightBatches);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Writer.FlushInterval);
        Assert.Equal(5, options.Writer.MaxAttempts);
    }

    [Fact]
    public void Every_setting_is_read()
    {
        BanyanClientOptions options = BanyanClientConfiguration.Read(Section(new()
        {
            ["Banyan:Client:Cluster:Mode"] = "redis",
            ["Banyan:Client:Cluster:RedisConnectionString"] = "127.0.0.1:6390",
            ["Banyan:Client:Cluster:ClusterId"] = "c1",
            ["Banyan:Client:Cluster:ServiceId"] = "s1",
            ["Banyan:Client:Writer:BatchSize"] = "250",
            ["Banyan:Client:Writer:MaxInFlightBatches"] = "3",
            ["Banyan:Client:Writer:FlushInterval"] = "00:00:00.010",
            ["Banyan:Client:Writer:MaxAttempts"] = "2",
            ["Banyan:Client:Writer:InitialBackoff"] = "00:00:00.001",
            ["Banyan:Client:Writer:MaxBackoff"] = "00:00:01",
            ["Banyan:Client:Writer:MaxRetainedFailures"] = "7",
        }));

        Assert.Equal(ClusterMode.Redis, options.Cluster.Mode);
        Assert.Equal("127.0.0.1:6390", options.Cluster.RedisConnectionString);
        Assert.Equal(("c1", "s1"), (options.Cluster.ClusterId, options.Cluster.ServiceId));
        Assert.Equal((250, 3, 2, 7), (options.Writer.BatchSize, options.Writer.MaxInFlightBatches, options.Writer.MaxAttempts, options.Writer.MaxRetainedFailures));
        Assert.Equal((TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1)), (options.Writer.FlushInterval, options.Writer.InitialBackoff, options.Writer.MaxBackoff));
    }

    [Fact]
    public void Gateway_ports_are_a_list_or_one_comma_separated_value_and_replace_the_default()
    {
        Assert.Equal([30001, 30002], BanyanClientConfiguration.Read(Section(new() { ["Banyan:Client:GatewayPorts:0"] = "30001", ["Banyan:Client:GatewayPorts:1"] = "30002" })).GatewayPorts);
        Assert.Equal([30001, 30002], BanyanClientConfiguration.Read(Section(new() { ["Banyan:Client:GatewayPorts"] = "30001, 30002" })).GatewayPorts);
    }

    [Theory]
    [InlineData("Banyan:Client:Cluster:Mode", "Kubernetes", "Banyan:Client:Cluster:Mode", "'Kubernetes' is not one of Localhost, Redis, External")]
    [InlineData("Banyan:Client:Cluster:Mode", "Redis", "Banyan:Client:Cluster:RedisConnectionString", "is required with Redis clustering (e.g. 127.0.0.1:6379)")]
    [InlineData("Banyan:Client:GatewayPorts:0", "http", "Banyan:Client:GatewayPorts:0", "'http' is not a TCP port number (1-65535)")]
    [InlineData("Banyan:Client:GatewayPorts:0", "70000", "Banyan:Client:GatewayPorts:0", "70000 is not a TCP port (1-65535)")]
    [InlineData("Banyan:Client:Cluster:ClusterId", "", "Banyan:Client:Cluster:ClusterId", "must not be empty (silos and clients of one cluster share it; the silo default is 'banyan')")]
    [InlineData("Banyan:Client:Clustr:Mode", "Redis", "Banyan:Client:Clustr", "is not a client setting; the settings here are Cluster, GatewayPorts, Writer")]
    [InlineData("Banyan:Client:Writer:BatchSize", "0", "Banyan:Client:Writer:BatchSize", "0 must be at least 1")]
    [InlineData("Banyan:Client:Writer:BatchSize", "many", "Banyan:Client:Writer:BatchSize", "'many' is not a whole number")]
    [InlineData("Banyan:Client:Writer:FlushInterval", "soon", "Banyan:Client:Writer:FlushInterval", "'soon' is not a duration (hh:mm:ss.fff, e.g. 00:00:00.050 for 50 ms)")]
    [InlineData("Banyan:Client:Writer:MaxAttempts", "0", "Banyan:Client:Writer:MaxAttempts", "0 must be at least 1 (1: no retries)")]
    [InlineData("Banyan:Client:Writer:MaxInFlight", "4", "Banyan:Client:Writer:MaxInFlight", "is not a client setting; the settings here are BatchSize, MaxInFlightBatches, FlushInterval, MaxAttempts, InitialBackoff, MaxBackoff, MaxRetainedFailures")]
    public void A_bad_setting_is_refused_naming_its_full_key(string key, string value, string named, string reason)
    {
        BanyanClientSettingException e = Assert.Throws<BanyanClientSettingException>(() => BanyanClientConfiguration.Read(Section(new() { [key] = value })));

        Assert.Equal(named, e.Setting);
        Assert.Equal($"{named}: {reason}", e.Message);
    }

    [Fact]
    public void A_redis_connection_string_that_does_not_parse_is_refused_naming_the_key()
    {
        BanyanClientSettingException e = Assert.Throws<BanyanClientSettingException>(() => BanyanClientConfiguration.Read(Section(new()
        {
            ["Banyan:Client:Cluster:Mode"] = "Redis",
            ["Banyan:Client:Cluster:RedisConnectionString"] = "127.0.0.1:6379,notanoption=1",
        })));

        Assert.Equal("Banyan:Client:Cluster:RedisConnectionString", e.Setting);
        Assert.StartsWith("Banyan:Client:Cluster:RedisConnectionString: '127.0.0.1:6379,notanoption=1' is not a StackExchange.Redis connection string: ", e.Message);
    }

    [Fact]
    public void AddBanyanClient_on_a_service_collection_refuses_bad_settings_at_once()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Banyan:Client:Cluster:Mode"] = "Redis" }).Build();

        BanyanClientSettingException e = Assert.Throws<BanyanClientSettingException>(() => new ServiceCollection().AddBanyanClient(configuration));
        Assert.Equal("Banyan:Client:Cluster:RedisConnectionString", e.Setting);
    }

    [Fact]
    public void AddBanyanClient_on_a_host_builder_refuses_bad_settings_when_the_host_is_built()
    {
        IHostBuilder builder = Host.CreateDefaultBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?> { ["Custom:Client:GatewayPorts:0"] = "0" }))
            .AddBanyanClient("Custom:Client");

        BanyanClientSettingException e = Assert.Throws<BanyanClientSettingException>(() => builder.Build());
        Assert.Equal("Custom:Client:GatewayPorts:0: 0 is not a TCP port (1-65535)", e.Message);
    }

    [Fact]
    public void AddBanyanClient_with_code_checks_the_options_too()
    {
        BanyanClientSettingException e = Assert.Throws<BanyanClientSettingException>(() => new ServiceCollection().AddBanyanClient(o => o.Writer.MaxBackoff = TimeSpan.Zero));
        Assert.Equal("Banyan:Client:Writer:MaxBackoff", e.Setting);
    }

    [Fact]
    public void The_services_hold_one_banyan_client_and_the_orleans_client()
    {
        ServiceCollection services = new();
        services.AddBanyanClient(new ConfigurationBuilder().Build());

        Assert.Contains(services, d => d.ServiceType == typeof(BanyanClient));
        Assert.Contains(services, d => d.ServiceType == typeof(IClusterClient));
        Assert.Single(services, d => d.ServiceType == typeof(BanyanClientOptions));
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values)
        => new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(BanyanClientOptions.SectionName);
}
