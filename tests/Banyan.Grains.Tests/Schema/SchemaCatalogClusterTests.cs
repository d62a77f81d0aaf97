using System.Diagnostics;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Banyan.Grains.Tests.Schema;

/// <summary>
/// The metadata grain on the three-silo TestCluster: a change made through any silo is in every silo's cache when the
/// call returns, a silo that starts loads the catalog before it is up, a killed silo is skipped, the state is protobuf
/// bytes inside the storage serializer's JSON.
/// </summary>
[Collection(SharedClusterDefinition.Name)]
public sealed class SchemaCatalogClusterTests(ClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_create_through_any_silo_is_in_every_silos_cache_when_it_returns()
    {
        foreach (SiloHandle through in fixture.Cluster.Silos)
        {
            SchemaSamples s = new("prop-" + through.Name.ToLowerInvariant().Replace('_', '-'));
            IMetadataGrain catalog = SiloGrains(through).GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);
            await catalog.Create(s.MeasureGroup()).WaitAsync(s_bound);
            long revision = await catalog.Create(s.Measure()).WaitAsync(s_bound);

            // No waiting: the call returned, so every silo's cache has it.
            foreach (SiloHandle silo in fixture.Cluster.Silos)
            {
                SchemaCache cache = Cache(silo);
                Assert.True(cache.Revision >= revision, $"{silo.Name}'s cache is at {cache.Revision}, the create was {revision}");
                Assert.True(cache.Catalog.TryGetMeasure(s.MeasureGroupName, "cpm", out Measure? measure), $"{silo.Name} lacks the measure created through {through.Name}");
                Assert.Equal(revision, measure.Metadata.ModRevision);
                Assert.True(await fixture.Client.GetGrain<ISchemaCacheGrain>(silo.Name).GetRevision().WaitAsync(s_bound) >= revision);
            }
        }
    }

    [Fact]
    public async Task Updates_and_deletes_reach_every_cache_before_they_return()
    {
        SchemaSamples s = new("prop-update");
        IMetadataGrain catalog = fixture.Client.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);
        await catalog.Create(s.StreamGroup()).WaitAsync(s_bound);
        await catalog.Create(s.Stream()).WaitAsync(s_bound);
        Banyan.Api.Database.V1.Stream wider = s.Stream();
        wider.TagFamilies[0].Tags.Add(new TagSpec { Name = "added", Type = TagType.Int });
        long updated = await catalog.Update(wider).WaitAsync(s_bound);
        foreach (SiloHandle silo in fixture.Cluster.Silos)
        {
            Assert.True(Cache(silo).Catalog.TryGetStream(s.StreamGroupName, "sw", out Banyan.Api.Database.V1.Stream? stream));
            Assert.Equal(updated, stream.Metadata.ModRevision);
            Assert.Contains(stream.TagFamilies[0].Tags, t => t.Name == "added");
        }

        SchemaDeletion deletion = await catalog.DeleteGroup(s.StreamGroupName, dryRun: false).WaitAsync(s_bound);
        Assert.True(deletion.Deleted);
        foreach (SiloHandle silo in fixture.Cluster.Silos)
        {
            Assert.False(Cache(silo).Catalog.TryGetGroup(s.StreamGroupName, out _));
            Assert.False(Cache(silo).Catalog.TryGetStream(s.StreamGroupName, "sw", out _));
        }
    }

    [Fact]
    public async Task Errors_cross_the_grain_boundary_as_their_types()
    {
        SchemaSamples s = new("prop-errors");
        IMetadataGrain catalog = fixture.Client.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);
        await catalog.Create(s.StreamGroup()).WaitAsync(s_bound);
        SchemaAlreadyExistsException exists = await Assert.ThrowsAsync<SchemaAlreadyExistsException>(() => catalog.Create(s.StreamGroup()));
        Assert.Equal(SchemaKey.ForGroup(s.StreamGroupName), exists.Key);
        SchemaValidationException invalid = await Assert.ThrowsAsync<SchemaValidationException>(() => catalog.Create(s.Measure()));
        Assert.Equal("measure.metadata.group", invalid.Field);
        SchemaNotFoundException missing = await Assert.ThrowsAsync<SchemaNotFoundException>(() => catalog.Get(new SchemaKey(SchemaKind.Stream, s.StreamGroupName, "sw")));
        Assert.Equal(SchemaKind.Stream, missing.Key.Kind);
        IMessage group = await catalog.Get(SchemaKey.ForGroup(s.StreamGroupName));
        Assert.IsType<Banyan.Api.Common.V1.Group>(group);
        Assert.Equal(new SchemaExistence(true, false), await catalog.Exist(new SchemaKey(SchemaKind.Stream, s.StreamGroupName, "sw")));
    }

    [Fact]
    public async Task A_silo_that_starts_has_the_catalog_loaded_when_it_is_up()
    {
        SchemaSamples s = new("prop-start");
        IMetadataGrain catalog = fixture.Client.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);
        await catalog.Create(s.StreamGroup()).WaitAsync(s_bound);
        SiloHandle extra = await fixture.Cluster.StartAdditionalSiloAsync().WaitAsync(TimeSpan.FromMinutes(1));
        try
        {
            SchemaCache cache = Cache(extra);
            Assert.True(cache.IsLoaded);
            Assert.True(cache.Catalog.TryGetGroup(s.StreamGroupName, out _));

            // And it receives later changes.
            long revision = await catalog.Create(s.Stream()).WaitAsync(s_bound);
            Assert.True(cache.Revision >= revision);
            Assert.True(cache.Catalog.TryGetStream(s.StreamGroupName, "sw", out _));
        }
        finally
        {
            await fixture.Cluster.StopSiloAsync(extra).WaitAsync(TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public async Task A_killed_silo_is_skipped_within_the_bound_and_the_others_get_the_change()
    {
        SiloHandle extra = await fixture.Cluster.StartAdditionalSiloAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(Cache(extra).IsLoaded);
        await fixture.Cluster.KillSiloAsync(extra).WaitAsync(TimeSpan.FromMinutes(1));

        SchemaSamples s = new("prop-killed");
        IMetadataGrain catalog = fixture.Client.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);
        Stopwatch watch = Stopwatch.StartNew();
        long revision = await catalog.Create(s.StreamGroup()).WaitAsync(s_bound);
        foreach (SiloHandle silo in fixture.Cluster.Silos.Where(h => h != extra))
        {
            Assert.True(Cache(silo).Catalog.TryGetGroup(s.StreamGroupName, out _), $"{silo.Name} lacks the group");
            Assert.True(Cache(silo).Revision >= revision);
        }

        Assert.True(watch.Elapsed < s_bound, $"the create took {watch.Elapsed}");
    }

    [Fact]
    public async Task The_state_is_the_encoded_catalog_inside_the_storage_serializers_json()
    {
        // Pinned: what the silo's default IGrainStorageSerializer makes of the metadata grain's state: a JSON object
        // naming the state type whose one property is the protobuf catalog in base64 (typed as System.Byte[]) (docs/format/schema-catalog.md).
        IServiceProvider silo = fixture.Cluster.GetSiloServiceProvider();
        IGrainStorageSerializer serializer = silo.GetRequiredService<IGrainStorageSerializer>();
        MetadataGrainState state = new() { Catalog = [0x08, 0x01, 0x10, 0x00] };
        string json = serializer.Serialize(state).ToString();
        Assert.Equal(
            "{\"$id\":\"1\",\"$type\":\"Banyan.Grains.Schema.MetadataGrainState, Banyan.Grains\",\"Catalog\":{\"$type\":\"System.Byte[], System.Private.CoreLib\",\"$value\":\"CAEQAA==\"}}",
            json);
        MetadataGrainState? read = serializer.Deserialize<MetadataGrainState>(serializer.Serialize(state));
        Assert.Equal(state.Catalog, read?.Catalog);
    }

    private IGrainFactory SiloGrains(SiloHandle silo) => fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<IGrainFactory>();

    private SchemaCache Cache(SiloHandle silo) => fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<SchemaCache>();
}
