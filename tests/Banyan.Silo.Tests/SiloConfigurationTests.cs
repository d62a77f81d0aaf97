using Banyan.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Banyan.Silo.Tests;

/// <summary><see cref="SiloConfiguration"/>: both option sets bound from the <c>Silo</c> section, unknown keys refused by name.</summary>
public sealed class SiloConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void Settings_of_the_host_and_of_the_grains_are_both_read()
    {
        (SiloHostOptions host, BanyanSiloOptions silo) = SiloConfiguration.Read(Config(
            ("Silo:GrpcUrl", "http://127.0.0.1:1234"),
            ("Silo:WriteBatching:MaxMessages", "64"),
            ("Silo:NodeName", "node-7"),
            ("Silo:Shard:BlockCacheMegabytes", "256"),
            ("Silo:Cluster:ClusterId", "c1")));

        Assert.Equal("http://127.0.0.1:1234", host.GrpcUrl);
        Assert.Equal(64, host.WriteBatching.MaxMessages);
        Assert.Equal("node-7", silo.NodeName);
        Assert.Equal(256, silo.Shard.BlockCacheMegabytes);
        Assert.Equal("c1", silo.Cluster.ClusterId);
    }

    [Fact]
    public void Keys_match_without_regard_to_case_as_the_binder_does()
    {
        (_, BanyanSiloOptions silo) = SiloConfiguration.Read(Config(("silo:shard:blockcachemegabytes", "32"), ("SILO:NODENAME", "n")));
        Assert.Equal(32, silo.Shard.BlockCacheMegabytes);
        Assert.Equal("n", silo.NodeName);
    }

    [Fact]
    public void An_unknown_key_is_refused_naming_it_and_the_settings_it_could_have_meant()
    {
        ArgumentException top = Assert.Throws<ArgumentException>(() => SiloConfiguration.Read(Config(("Silo:NodeNmae", "n"))));
        Assert.Contains("Silo:NodeNmae is not a setting", top.Message, StringComparison.Ordinal);
        Assert.Contains("NodeName", top.Message, StringComparison.Ordinal);
        Assert.Contains("GrpcUrl", top.Message, StringComparison.Ordinal);

        ArgumentException nested = Assert.Throws<ArgumentException>(() => SiloConfiguration.Read(Config(("Silo:Shard:FlushThresholdMB", "16"))));
        Assert.Contains("Silo:Shard:FlushThresholdMB is not a setting", nested.Message, StringComparison.Ordinal);
        Assert.Contains("FlushThresholdMegabytes", nested.Message, StringComparison.Ordinal);

        ArgumentException deeper = Assert.Throws<ArgumentException>(() => SiloConfiguration.Read(Config(("Silo:WriteBatching:Lingr", "00:00:01"))));
        Assert.Contains("Silo:WriteBatching:Lingr", deeper.Message, StringComparison.Ordinal);

        // A computed property is not a setting: the binder would ignore it.
        ArgumentException computed = Assert.Throws<ArgumentException>(() => SiloConfiguration.Read(Config(("Silo:GrainStateFullPath", "/x"))));
        Assert.Contains("Silo:GrainStateFullPath is not a setting", computed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("GrainStateFullPath,", computed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxMessages", "0")]
    [InlineData("MaxInFlight", "0")]
    [InlineData("JoinMaxMessages", "0")]
    [InlineData("JoinCallsInFlight", "0")]
    [InlineData("Linger", "-00:00:01")]
    public void Write_batching_settings_out_of_range_are_refused_naming_the_key(string key, string value)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SiloConfiguration.Read(Config(("Silo:WriteBatching:" + key, value))));
        Assert.Contains("Silo:WriteBatching:" + key + " is", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_WAL_is_repaired_only_when_the_setting_says_so_and_an_unknown_mode_is_refused()
    {
        Assert.Equal(Banyan.Storage.Wal.WalRecoveryMode.Strict, SiloConfiguration.Read(Config()).Silo.Shard.ShardOptionsFor(Banyan.Storage.Rows.DataKind.Measure, null).Wal.Recovery);
        Assert.Equal(Banyan.Storage.Wal.WalRecoveryMode.Repair, SiloConfiguration.Read(Config(("Silo:Shard:WalRecovery", "Repair"))).Silo.Shard.ShardOptionsFor(Banyan.Storage.Rows.DataKind.Stream, null).Wal.Recovery);
        ArgumentException e = Assert.Throws<ArgumentException>(() => SiloConfiguration.Read(Config(("Silo:Shard:WalRecovery", "7"))));
        Assert.Contains("Silo:Shard:WalRecovery is 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_shard_open_is_retried_after_five_seconds_by_default_and_a_negative_interval_is_refused()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), SiloConfiguration.Read(Config()).Silo.Shard.OpenRetryInterval);
        Assert.Equal(TimeSpan.Zero, SiloConfiguration.Read(Config(("Silo:Shard:OpenRetryInterval", "00:00:00"))).Silo.Shard.OpenRetryInterval);
        ArgumentException e = Assert.Throws<ArgumentException>(() => SiloConfiguration.Read(Config(("Silo:Shard:OpenRetryInterval", "-00:00:01"))));
        Assert.Contains("Silo:Shard:OpenRetryInterval is -00:00:01", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SchemaApplyWait", "-00:00:01")]
    [InlineData("MaxRowsPerShard", "0")]
    public void Query_settings_out_of_range_are_refused_naming_the_key(string key, string value)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SiloConfiguration.Read(Config(("Silo:Query:" + key, value))));
        Assert.Contains("Silo:Query:" + key + " is " + value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_streams_are_joined_by_default_and_can_be_kept_apart()
    {
        (SiloHostOptions defaults, _) = SiloConfiguration.Read(Config());
        Assert.True(defaults.WriteBatching.JoinStreams);
        Assert.Equal((4096, Math.Max(1, Environment.ProcessorCount / 2)), (defaults.WriteBatching.JoinMaxMessages, defaults.WriteBatching.JoinCallsInFlight));
        (SiloHostOptions apart, _) = SiloConfiguration.Read(Config(("Silo:WriteBatching:JoinStreams", "false")));
        Assert.False(apart.WriteBatching.JoinStreams);
    }

    [Fact]
    public void The_silo_refuses_to_start_on_an_unknown_key()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:Shard:MergePeriods=00:00:05"]));
        Assert.Contains("Silo:Shard:MergePeriods", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shutdown_timeout_bounds_the_hosts_graceful_stop()
    {
        await using (WebApplication app = SiloHost.Build(["--Silo:ShutdownTimeout=00:01:50"]))
        {
            Assert.Equal(TimeSpan.FromSeconds(110), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        }

        await using (WebApplication defaults = SiloHost.Build([]))
        {
            Assert.Equal(TimeSpan.FromSeconds(30), defaults.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        }

        ArgumentException e = Assert.Throws<ArgumentException>(() => SiloConfiguration.Read(Config(("Silo:ShutdownTimeout", "00:00:00"))));
        Assert.Contains("Silo:ShutdownTimeout", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("silo.json")]
    [InlineData("silo.redis.json")]
    public void The_shipped_configuration_files_use_only_known_keys(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "silo-config", file);
        IConfiguration config = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "silo-config", "silo.json"))
            .AddJsonFile(path)
            .Build();
        Assert.NotEmpty(config.GetSection("Silo").GetChildren());

        (_, BanyanSiloOptions silo) = SiloConfiguration.Read(config);
        Assert.Equal(file == "silo.json" ? GrainStorageMode.File : GrainStorageMode.Redis, silo.GrainStorage);
    }
}
