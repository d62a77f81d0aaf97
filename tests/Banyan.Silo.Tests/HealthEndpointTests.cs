using System.Net;
using System.Text.Json;
using Banyan.Grains.Hosting;
using Banyan.Silo.Grpc;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Silo.Tests;

/// <summary>The real host in this process on free loopback ports: HTTP health, gRPC health over HTTP/2, embedded defaults.</summary>
public sealed class HealthEndpointTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "banyan-silo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Healthz_and_grpc_health_answer_serving_on_their_loopback_ports()
    {
        int httpPort = FreeLoopbackPort();
        int grpcPort = FreeLoopbackPort();
        await using WebApplication app = SiloHost.Build(
        [
            $"--Silo:HttpUrl=http://127.0.0.1:{httpPort}",
            $"--Silo:GrpcUrl=http://127.0.0.1:{grpcPort}",
            $"--Silo:SiloPort={FreeLoopbackPort()}",
            $"--Silo:GatewayPort={FreeLoopbackPort()}",
            $"--Silo:DataRoot={_data}",
        ]);
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(90));
        await app.StartAsync(timeout.Token);
        try
        {
            using HttpClient client = new() { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
            using HttpResponseMessage response = await client.GetAsync(new Uri("/api/healthz", UriKind.Relative), timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new Version(1, 1), response.Version);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            Assert.Equal("SERVING", body.RootElement.GetProperty("status").GetString());

            // gRPC without TLS: HTTP/2 with prior knowledge on the gRPC port.
            using GrpcChannel channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            HealthCheckResponse health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: timeout.Token);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

            // Kestrel reads into the silo's 64 KiB blocks, not its own 4 KiB ones (LargeBlockMemoryPool).
            LargeBlockMemoryPoolFactory pools = Assert.IsType<LargeBlockMemoryPoolFactory>(app.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
            Assert.True(pools.PoolsCreated > 0, "Kestrel did not ask the silo's memory pool factory for its pools");

            // The gRPC port speaks HTTP/2 only: an HTTP/1.1 request there is not served.
            using HttpClient http1 = new() { Timeout = TimeSpan.FromSeconds(10) };
            using HttpRequestMessage request = new(HttpMethod.Get, $"http://127.0.0.1:{grpcPort}/api/healthz") { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            try
            {
                using HttpResponseMessage refused = await http1.SendAsync(request, timeout.Token);
                Assert.False(refused.IsSuccessStatusCode, $"an HTTP/1.1 request on the gRPC port got {refused.StatusCode}");
            }
            catch (HttpRequestException)
            {
                // Equally fine: the connection is refused at the protocol level.
            }
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void The_embedded_defaults_are_one_loopback_silo_with_file_storage()
    {
        // silo-config/silo.json as shipped next to the binary, nothing overridden.
        using ShippedConfiguration defaults = new();
        BanyanSiloOptions silo = defaults.Silo;
        SiloHostOptions host = defaults.Host;
        Assert.Equal(new Uri("http://127.0.0.1:17913"), new Uri(host.HttpUrl));
        Assert.Equal(new Uri("http://127.0.0.1:17912"), new Uri(host.GrpcUrl));
        Assert.Equal("node-0", silo.NodeName);
        Assert.Equal("data", silo.DataRoot);
        Assert.Equal(GrainStorageMode.File, silo.GrainStorage);
        Assert.Equal(Banyan.GrainInterfaces.Hosting.ClusterMode.Localhost, silo.Cluster.Mode);
        Assert.Equal(11111, silo.SiloPort);
        Assert.Equal(30000, silo.GatewayPort);
        Assert.Equal("127.0.0.1", silo.AdvertisedAddress);
        Assert.Equal(64, silo.Shard.BlockCacheMegabytes);
        Assert.Equal(TimeSpan.FromSeconds(30), silo.Shard.CompactAfterIdle);
        Assert.Equal(64, silo.Shard.FlushThresholdMegabytes);
        Assert.Equal(128, silo.Shard.MaxMemoryMegabytes);
        Assert.Equal(0, silo.Shard.MemoryBudgetMegabytes); // automatic: a quarter of the memory the process may use
        Assert.Equal(64, silo.TopN.ListCacheMegabytes);
        Banyan.Storage.Shards.ShardOptions engine = silo.Shard.ShardOptionsFor(Banyan.Storage.Rows.DataKind.Measure, blockCache: null);
        Assert.Equal(new Banyan.Storage.Shards.ShardOptions().FlushThresholdBytes, engine.FlushThresholdBytes);
        Assert.Equal(new Banyan.Storage.Shards.ShardOptions().MaxMemoryBytes, engine.MaxMemoryBytes);
        silo.Validate();
    }

    [Fact]
    public void Invalid_settings_are_refused_naming_the_key()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:Cluster:Mode=Redis", "--Silo:GrainStorage=Redis"]));
        Assert.Contains("Silo:Cluster:RedisConnectionString", e.Message, StringComparison.Ordinal);
        ArgumentException file = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:Cluster:Mode=Redis", "--Silo:Cluster:RedisConnectionString=127.0.0.1:1"]));
        Assert.Contains("Silo:GrainStorage=File", file.Message, StringComparison.Ordinal);
        ArgumentException url = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:GrpcUrl=https://127.0.0.1:1"]));
        Assert.Contains("Silo:GrpcUrl", url.Message, StringComparison.Ordinal);
        ArgumentException cache = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:Shard:BlockCacheMegabytes=-1"]));
        Assert.Contains("Silo:Shard:BlockCacheMegabytes", cache.Message, StringComparison.Ordinal);
        ArgumentException idle = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:Shard:CompactAfterIdle=-00:00:01"]));
        Assert.Contains("Silo:Shard:CompactAfterIdle", idle.Message, StringComparison.Ordinal);
        ArgumentException flush = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:Shard:FlushThresholdMegabytes=0"]));
        Assert.Contains("Silo:Shard:FlushThresholdMegabytes", flush.Message, StringComparison.Ordinal);
        ArgumentException memory = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:Shard:FlushThresholdMegabytes=32", "--Silo:Shard:MaxMemoryMegabytes=16"]));
        Assert.Contains("Silo:Shard:MaxMemoryMegabytes", memory.Message, StringComparison.Ordinal);
        ArgumentException budget = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:Shard:MemoryBudgetMegabytes=-1"]));
        Assert.Contains("Silo:Shard:MemoryBudgetMegabytes", budget.Message, StringComparison.Ordinal);
        ArgumentException lists = Assert.Throws<ArgumentException>(() => SiloHost.Build(["--Silo:TopN:ListCacheMegabytes=-1"]));
        Assert.Contains("Silo:TopN:ListCacheMegabytes", lists.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shard_memory_settings_reach_the_engine_shards()
    {
        BanyanSiloOptions silo = new();
        silo.Shard.FlushThresholdMegabytes = 16;
        silo.Shard.MaxMemoryMegabytes = 48;
        silo.Validate();

        Banyan.Storage.Shards.ShardOptions engine = silo.Shard.ShardOptionsFor(Banyan.Storage.Rows.DataKind.Stream, blockCache: null);

        Assert.Equal(Banyan.Storage.Rows.DataKind.Stream, engine.Kind);
        Assert.Equal(16L << 20, engine.FlushThresholdBytes);
        Assert.Equal(48L << 20, engine.MaxMemoryBytes);
    }

    [Fact]
    public void The_silos_memory_budget_is_a_quarter_of_its_memory_unless_set_and_reaches_the_engine_shards()
    {
        BanyanSiloOptions silo = new();
        Assert.Equal(2L << 30, silo.Shard.MemoryBudgetBytes(availableBytes: 8L << 30));
        Assert.Equal(128L << 20, silo.Shard.MemoryBudgetBytes(availableBytes: 256L << 20)); // never below one shard's bound

        silo.Shard.MemoryBudgetMegabytes = 300;
        silo.Validate();
        Assert.Equal(300L << 20, silo.Shard.MemoryBudgetBytes(availableBytes: 8L << 30));

        Banyan.Storage.Shards.MemoryBudget shared = new(150L << 20, 300L << 20);
        Banyan.Storage.Shards.ShardOptions engine = silo.Shard.ShardOptionsFor(Banyan.Storage.Rows.DataKind.Measure, blockCache: null, shared);
        Assert.Same(shared, engine.MemoryBudget);
    }

    [Fact]
    public void The_silo_builds_one_memory_budget_from_its_setting()
    {
        using Banyan.Grains.Shards.ShardMemoryBudget budget = new(
            Microsoft.Extensions.Options.Options.Create(new BanyanSiloOptions { Shard = { MemoryBudgetMegabytes = 300 } }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Banyan.Grains.Shards.ShardMemoryBudget>.Instance);
        Assert.Equal(300L << 20, budget.Budget.MaxBytes);
        Assert.Equal(150L << 20, budget.Budget.FlushThresholdBytes);
    }

    private static int FreeLoopbackPort() => LoopbackPorts.Free();

    /// <summary>Binds the shipped configuration the way the host does, without starting anything.</summary>
    private sealed class ShippedConfiguration : IDisposable
    {
        private readonly Microsoft.Extensions.Configuration.ConfigurationManager _configuration = new();

        public ShippedConfiguration()
        {
            Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(_configuration, Path.Combine(AppContext.BaseDirectory, "silo-config", "silo.json"), optional: false);
            Silo = Microsoft.Extensions.Configuration.ConfigurationBinder.Get<BanyanSiloOptions>(_configuration.GetSection(BanyanSiloOptions.SectionName))!;
            Host = Microsoft.Extensions.Configuration.ConfigurationBinder.Get<SiloHostOptions>(_configuration.GetSection(SiloHostOptions.SectionName))!;
        }

        public BanyanSiloOptions Silo { get; }

        public SiloHostOptions Host { get; }

        public void Dispose() => _configuration.Dispose();
    }
}
