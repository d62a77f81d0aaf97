using Banyan.Client.Hosting;
using Banyan.Client.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Catalog = Banyan.Api.Common.V1.Catalog;

namespace Banyan.Client.Tests.Hosting;

/// <summary>Clients wired from configuration reach the 3-silo cluster through its gateways.</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class ClientConnectionTests(ClientClusterFixture fixture)
{
    [Fact]
    public async Task A_client_added_to_a_service_collection_from_configuration_reaches_the_cluster()
    {
        // The fixture's client host is wired with services.AddBanyanClient(configuration) and nothing else of Orleans.
        await fixture.Client.Schemas.Groups.CreateAsync(WriteSchemas.Group("conn-services", Catalog.Measure));

        Assert.True(await fixture.Client.Schemas.Groups.ExistAsync("conn-services"));
    }

    [Fact]
    public async Task A_client_added_to_a_host_builder_from_its_configuration_reaches_the_cluster()
    {
        await fixture.Client.Schemas.Groups.CreateAsync(WriteSchemas.Group("conn-host", Catalog.Stream));
        using IHost host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(fixture.Settings()))
            .AddBanyanClient()
            .Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromMinutes(1));
        try
        {
            BanyanClient client = host.Services.GetRequiredService<BanyanClient>();

            Assert.Contains("conn-host", (await client.Schemas.Groups.ListAsync()).Select(g => g.Metadata.Name));
            Assert.Same(client, host.Services.GetRequiredService<BanyanClient>());
        }
        finally
        {
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
