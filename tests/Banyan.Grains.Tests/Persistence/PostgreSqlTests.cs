using System.Net;
using System.Net.Sockets;
using Banyan.Grains.Testing;
using Banyan.Grains.Tests.Grains;
using Banyan.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Banyan.Grains.Tests.Persistence;

/// <summary>PostgreSQL grain storage and membership against a real server started by the fixture.</summary>
public sealed class PostgreSqlTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [PostgresFact]
    public async Task Grain_storage_satisfies_the_storage_contract()
    {
        await using PostgreSqlGrainStorage storage = new(new PostgreSqlGrainStorageOptions { ConnectionString = postgres.ConnectionString, ServiceId = Signals.NewId() });
        await GrainStorageContract.RoundTripAndEtagConflict(storage);
    }

    [PostgresFact]
    public async Task Grains_of_two_silos_share_state_and_conflicting_writers_are_detected()
    {
        string serviceId = Signals.NewId();
        string key = Signals.NewId();
        await using TestCluster cluster = await Clusters.StartAsync(2, silo => silo.AddPostgreSqlGrainStorage("store", o =>
        {
            o.ConnectionString = postgres.ConnectionString;
            o.ServiceId = serviceId;
        }));
        IProfileGrain grain = cluster.Client.GetGrain<IProfileGrain>(key);
        await grain.Visit("bo", "x");
        await grain.Visit("bo", "y");
        Assert.Equal("2", await grain.GetEtag());

        // A second writer (another provider instance, as another silo would be) updates the row.
        await using PostgreSqlGrainStorage other = new(new PostgreSqlGrainStorageOptions { ConnectionString = postgres.ConnectionString, ServiceId = serviceId });
        GrainState<ProfileState> state = new(new ProfileState());
        await other.ReadStateAsync("profile", new GrainId("profile", key), state);
        Assert.Equal(2, state.State.Visits);
        await other.WriteStateAsync("profile", new GrainId("profile", key), state);
        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Visit("bo", "z"));

        // After the grain is deactivated everywhere (cluster restarted), the state reads back.
        await cluster.StopAllSilosAsync();
        await using TestCluster again = await Clusters.StartAsync(1, silo => silo.AddPostgreSqlGrainStorage("store", o =>
        {
            o.ConnectionString = postgres.ConnectionString;
            o.ServiceId = serviceId;
        }));
        Assert.Equal("bo:2:x,y", await again.Client.GetGrain<IProfileGrain>(key).Describe());
    }

    [PostgresFact]
    public async Task Membership_table_never_revives_a_dead_silo()
    {
        await using PostgreSqlMembershipTable table = new(postgres.ConnectionString, Signals.NewId());
        SiloAddress a = new("127.0.0.1", 11111, 1) { GatewayPort = 30000 };
        SiloAddress b = new("127.0.0.1", 11112, 2) { GatewayPort = 30001 };
        await table.UpsertAsync(new MembershipEntry(a, SiloStatus.Active, DateTimeOffset.UtcNow), default);
        await table.UpsertAsync(new MembershipEntry(b, SiloStatus.Active, DateTimeOffset.UtcNow), default);
        await table.UpsertAsync(new MembershipEntry(b, SiloStatus.Dead, DateTimeOffset.UtcNow), default);
        await table.UpsertAsync(new MembershipEntry(b, SiloStatus.Active, DateTimeOffset.UtcNow), default);
        IReadOnlyList<MembershipEntry> rows = await table.ReadAllAsync(default);
        Assert.Equal(SiloStatus.Active, rows.Single(r => r.Silo == a).Status);
        Assert.Equal(SiloStatus.Dead, rows.Single(r => r.Silo == b).Status);
        Assert.Equal(30001, rows.Single(r => r.Silo == b).Silo.GatewayPort);
    }

    [PostgresFact]
    public async Task Silos_and_a_client_find_each_other_through_the_PostgreSQL_membership_table()
    {
        string clusterId = Signals.NewId();
        IHost[] hosts = new IHost[2];
        for (int i = 0; i < 2; i++)
        {
            int siloPort = FreePort();
            int gatewayPort = FreePort();
            HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.UseOrleans(silo => silo
                .UsePostgreSqlClustering(postgres.ConnectionString, clusterId)
                .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort)
                .Configure<ClusterMembershipOptions>(o => o.TableRefreshTimeout = TimeSpan.FromMilliseconds(200)));
            hosts[i] = builder.Build();
            await hosts[i].StartAsync();
        }

        try
        {
            ISiloStatus first = hosts[0].Services.GetRequiredService<ISiloStatus>();
            ISiloStatus second = hosts[1].Services.GetRequiredService<ISiloStatus>();
            await WaitUntil(() => first.ActiveSilos.Count == 2 && second.ActiveSilos.Count == 2, "both silos see each other");

            ServiceCollection services = new();
            services.AddOrleansClient(new ConfigurationBuilder().Build(), client => client.UsePostgreSqlClustering(postgres.ConnectionString, clusterId));
            await using ServiceProvider provider = services.BuildServiceProvider();
            IClusterClient client = provider.GetRequiredService<IClusterClient>();
            string key = Signals.NewId();
            string where = await hosts[1].Services.GetRequiredService<IGrainFactory>().GetGrain<ILocalGrain>(key).WhereAmI();
            Assert.Equal(second.SiloAddress.ToString(), where);
            Assert.Equal(where, await client.GetGrain<ILocalGrain>(key).WhereAmI());

            await hosts[1].StopAsync();
            await WaitUntil(() => first.ActiveSilos.Count == 1, "the stopped silo leaves the view");
            Assert.Equal(first.SiloAddress.ToString(), await client.GetGrain<ILocalGrain>(key).WhereAmI());
        }
        finally
        {
            foreach (IHost host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        for (int i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "timed out waiting until " + what);
    }

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
