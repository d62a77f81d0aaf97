using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Storage;
using Banyan.Grains.Storage;
using Banyan.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Banyan.Grains.Tests.Storage;

/// <summary>Damaged grain state seen through a running cluster: the caller gets the typed error, the silos keep serving.</summary>
[Collection(SharedClusterDefinition.Name)]
public sealed class GrainStateCorruptionTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData("flip")]
    [InlineData("tear")]
    public async Task A_damaged_state_file_fails_the_activation_with_the_typed_error_every_time(string damage)
    {
        string name = "corrupt-" + damage + "-g";
        IGroupGrain group = fixture.Client.GetGrain<IGroupGrain>(name);
        await group.GetShardOwners(2).WaitAsync(TimeSpan.FromSeconds(30));
        await fixture.Cluster.DeactivateAsync(group).WaitAsync(TimeSpan.FromSeconds(30));

        string path = StateFileOf(group);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        if (damage == "flip")
        {
            bytes[^1] ^= 0x01;
        }
        else
        {
            bytes = bytes[..(bytes.Length / 2)];
        }

        await File.WriteAllBytesAsync(path, bytes);

        for (int attempt = 0; attempt < 3; attempt++)
        {
            GrainStateCorruptionException e = await Exceptions.CatchAsync<GrainStateCorruptionException>(() => group.GetShardOwners(2), TimeSpan.FromSeconds(30));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains(damage == "flip" ? "offset 20" : "offset 16", e.Message, StringComparison.Ordinal);
        }

        // The silos are up and serve other grains.
        ShardOwners healthy = await fixture.Client.GetGrain<IGroupGrain>(name + "-neighbour").GetShardOwners(1).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(healthy.Owners);
    }

    private string StateFileOf(IGroupGrain group)
    {
        IServiceProvider silo = fixture.Cluster.GetSiloServiceProvider();
        FileGrainStorage storage = new(
            Path.Combine(fixture.DataRoot, BanyanTestSiloConfigurator.SharedGrainStateFolder),
            silo.GetRequiredService<IGrainStorageSerializer>(),
            silo.GetRequiredService<IActivatorProvider>());
        string path = storage.PathOf("group", group.GetGrainId());
        Assert.True(File.Exists(path), $"state file {path} should exist");
        return path;
    }
}
