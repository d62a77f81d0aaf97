using System.Net;
using System.Net.Sockets;
using Banyan.Grains.Tests.Grains;
using Banyan.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Banyan.Grains.Tests;

/// <summary>Silos built on Microsoft.Extensions.Hosting with the public hosting API, as an application would.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task An_embedded_localhost_silo_serves_a_client_over_HTTP2()
    {
        int siloPort = FreePort();
        int gatewayPort = FreePort();
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort).AddMemoryGrainStorage("store"));
        using IHost host = builder.Build();
        await host.StartAsync();
        try
        {
            ServiceCollection services = new();
            services.AddOrleansClient(new ConfigurationBuilder().Build(), client => client.UseLocalhostClustering(gatewayPort));
            await using ServiceProvider provider = services.BuildServiceProvider();
            IClusterClient client = provider.GetRequiredService<IClusterClient>();
            string key = Signals.NewId();
            Assert.Equal(4, await client.GetGrain<ICounterGrain>(key).Add(4));
            // The silo's own IClusterClient reaches the same activation.
            Assert.Equal(4, await host.Services.GetRequiredService<IClusterClient>().GetGrain<ICounterGrain>(key).Get());
            await client.GetGrain<IProfileGrain>(key).Visit("cy", "t");
            Assert.Equal("cy:1:t", await client.GetGrain<IProfileGrain>(key).Describe());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Two_silos_with_static_clustering_find_each_other_and_drop_a_stopped_one()
    {
        IPEndPoint[] silos = [new(IPAddress.Loopback, FreePort()), new(IPAddress.Loopback, FreePort())];
        int[] gateways = [FreePort(), FreePort()];
        IHost[] hosts = new IHost[2];
        for (int i = 0; i < 2; i++)
        {
            int index = i;
            HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.UseOrleans(silo => silo
                .UseStaticClustering(silos)
                .ConfigureEndpoints(IPAddress.Loopback, silos[index].Port, gateways[index])
                .Configure<ClusterMembershipOptions>(o => o.TableRefreshTimeout = TimeSpan.FromMilliseconds(200)));
            hosts[i] = builder.Build();
            await hosts[i].StartAsync();
        }

        try
        {
            ISiloStatus first = hosts[0].Services.GetRequiredService<ISiloStatus>();
            ISiloStatus second = hosts[1].Services.GetRequiredService<ISiloStatus>();
            await WaitUntil(() => first.ActiveSilos.Count == 2, "silo 1 sees silo 2");
            string key = Signals.NewId();
            IGrainFactory fromSecond = hosts[1].Services.GetRequiredService<IGrainFactory>();
            IGrainFactory fromFirst = hosts[0].Services.GetRequiredService<IGrainFactory>();
            Assert.Equal(second.SiloAddress.ToString(), await fromSecond.GetGrain<ILocalGrain>(key).WhereAmI());
            Assert.Equal(second.SiloAddress.ToString(), await fromFirst.GetGrain<ILocalGrain>(key).WhereAmI());
            await hosts[1].StopAsync();
            await WaitUntil(() => first.ActiveSilos.Count == 1, "silo 1 drops the stopped silo");
            Assert.Equal(first.SiloAddress.ToString(), await fromFirst.GetGrain<ILocalGrain>(key).WhereAmI());
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
