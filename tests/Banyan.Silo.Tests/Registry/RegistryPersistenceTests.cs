using Banyan.Api.Common.V1;
using Banyan.Grains.Schema;
using Banyan.Grains.Storage;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Banyan.Silo.Tests.Registry;

/// <summary>The catalog is persisted through the grain storage: it survives a silo restart, and damaged state is a clear error, not a crash loop.</summary>
public sealed class RegistryPersistenceTests
{
    [Fact]
    public async Task The_catalog_survives_a_restart_with_its_revisions_and_is_in_the_cache_before_the_silo_serves()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        SchemaSamples s = new("persist");
        IMessage[] schemas = [s.StreamGroup(), s.MeasureGroup(), s.Stream(), s.Measure(), s.IndexRule(), s.Binding(), s.TopN()];
        RegistryClients registry = new(host.Channel);
        foreach (IMessage schema in schemas)
        {
            await registry.CreateAsync(schema);
        }

        List<IMessage> before = [];
        foreach (IMessage schema in schemas)
        {
            before.Add(await registry.GetAsync(schema));
        }

        await host.RestartAsync();

        // Loaded at start: the cache has the whole catalog before any call.
        SchemaCache cache = host.Services.GetRequiredService<SchemaCache>();
        Assert.True(cache.IsLoaded);
        Assert.Equal(7, cache.Revision);
        Assert.Equal(7, cache.Catalog.Count);

        registry = new RegistryClients(host.Channel);
        for (int i = 0; i < schemas.Length; i++)
        {
            Assert.Equal(before[i], await registry.GetAsync(schemas[i]));
        }

        // The revision counter goes on from where it was.
        Group another = s.StreamGroup();
        another.Metadata.Name = "sg-persist-2";
        Assert.Equal(8, await registry.CreateAsync(another));
    }

    [Fact]
    public async Task A_damaged_catalog_is_an_INTERNAL_error_naming_the_offset_and_the_silo_still_starts_and_serves()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync("--Silo:Schema:StartupLoadTimeout=00:00:10");
        await new RegistryClients(host.Channel).CreateAsync(new SchemaSamples("damaged").StreamGroup());

        // Replace the stored catalog bytes with garbage through the storage provider itself (valid file, CRC and ETag),
        // so the damage is in the catalog encoding, not in the file.
        string grainState = Path.Combine(host.DataRoot, "_grains");
        FileGrainStorage storage = new(grainState, host.Services.GetRequiredService<IGrainStorageSerializer>(), host.Services.GetRequiredService<IActivatorProvider>());
        await host.StopAsync();
        GrainId id = GrainId.Create("metadata", "schema");
        GrainState<MetadataGrainState> state = new();
        await storage.ReadStateAsync("catalog", id, state);
        Assert.True(state.RecordExists, "the catalog state file was not where the test expects it");
        state.State!.Catalog = [0x08, 0x01, 0x10, 0x01, 0x1A, 0x7F, 0x0A];
        await storage.WriteStateAsync("catalog", id, state);

        await host.RestartAsync();
        Assert.False(host.Services.GetRequiredService<SchemaCache>().IsLoaded);
        HealthCheckResponse health = await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest(), deadline: RegistryClients.Deadline);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => new RegistryClients(host.Channel).Groups.ListAsync(new Banyan.Api.Database.V1.GroupRegistryServiceListRequest(), deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Contains("schema catalog is corrupt at byte 4", e.Status.Detail, StringComparison.Ordinal);

        // Every call answers the same error; the API version is still served.
        Assert.Equal(StatusCode.Internal, (await Assert.ThrowsAsync<RpcException>(() => new RegistryClients(host.Channel).Groups.ListAsync(new Banyan.Api.Database.V1.GroupRegistryServiceListRequest(), deadline: RegistryClients.Deadline).ResponseAsync)).StatusCode);
        Assert.Equal("0.10", (await new Service.ServiceClient(host.Channel).GetAPIVersionAsync(new GetAPIVersionRequest(), deadline: RegistryClients.Deadline)).Version.Version);
    }
}
