using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Silo.Registry;

/// <summary>What every registry service does with a request before calling the metadata grain.</summary>
internal static class RegistryRequests
{
    /// <summary>The catalog grain.</summary>
    public static IMetadataGrain Catalog(this IGrainFactory grains) => grains.GetGrain<IMetadataGrain>(IMetadataGrain.CatalogKey);

    /// <summary>The schema of a <c>Create</c>/<c>Update</c> request; absent is INVALID_ARGUMENT naming <paramref name="field"/>.</summary>
    public static T Require<T>(T? schema, string field)
        where T : class
        => schema ?? throw new SchemaValidationException(field, "is required");

    /// <summary>The key a <c>Get</c>/<c>Delete</c>/<c>Exist</c> request's metadata names; absent metadata is INVALID_ARGUMENT (BanyanDB: <c>metadata is absent</c>).</summary>
    public static SchemaKey KeyOf(SchemaKind kind, Metadata? metadata) =>
        metadata is null
            ? throw new SchemaValidationException("metadata", "is required (group and name)")
            : SchemaKey.For(kind, metadata.Group, metadata.Name);
}
