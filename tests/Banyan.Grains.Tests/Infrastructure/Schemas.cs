using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Google.Protobuf;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>Schema set-up through the metadata grain, as the registries do it.</summary>
public static class Schemas
{
    /// <summary>Creates each schema in order (bounded).</summary>
    public static async Task CreateAsync(IGrainFactory grains, params IMessage[] schemas)
    {
        IMetadataGrain metadata = grains.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);
        foreach (IMessage schema in schemas)
        {
            await metadata.Create(schema).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>The stored metadata (with revisions) of the measure or stream named by <paramref name="key"/>.</summary>
    public static async Task<Metadata> MetadataOfAsync(IGrainFactory grains, SchemaKey key)
    {
        IMessage stored = await grains.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey).Get(key).WaitAsync(TimeSpan.FromSeconds(30));
        return stored switch
        {
            Measure m => m.Metadata,
            Banyan.Api.Database.V1.Stream s => s.Metadata,
            _ => throw new ArgumentException($"{key} is not a stream or measure", nameof(key)),
        };
    }
}
