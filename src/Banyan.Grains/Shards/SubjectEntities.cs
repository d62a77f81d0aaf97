using System.Collections.Concurrent;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Measure = Banyan.Api.Database.V1.Measure;
using TagFamilySpec = Banyan.Api.Database.V1.TagFamilySpec;

namespace Banyan.Grains.Shards;

/// <summary>
/// The entity tags (family, name) of each stream or measure of one group, kept per subject for the catalog they were
/// read from: every shard query and a subject's first write need them, and a catalog is immutable (a schema change makes
/// a new one, which reads them again). Safe to use from any thread: the shard grain's turns and the silo's local reads
/// (<see cref="LocalShard"/>) share one.
/// </summary>
internal sealed class SubjectEntities(string group, SchemaCache schemas)
{
    private readonly ConcurrentDictionary<string, (SchemaCatalog Catalog, (string Family, string Tag)[] Entity)> _entities = new(StringComparer.Ordinal);

    /// <summary>The group's schema catalog as the silo knows it now.</summary>
    public SchemaCatalog Catalog => schemas.Catalog;

    /// <summary>The entity tags of <paramref name="subject"/> in the silo's current catalog.</summary>
    /// <exception cref="SchemaNotFoundException">The group has no stream or measure named <paramref name="subject"/>.</exception>
    public (string Family, string Tag)[] Of(string subject)
    {
        SchemaCatalog catalog = schemas.Catalog;
        if (_entities.TryGetValue(subject, out (SchemaCatalog Catalog, (string Family, string Tag)[] Entity) known) && ReferenceEquals(known.Catalog, catalog))
        {
            return known.Entity;
        }

        (string Family, string Tag)[] entity = Read(catalog, subject);
        _entities[subject] = (catalog, entity);
        return entity;
    }

    private (string Family, string Tag)[] Read(SchemaCatalog catalog, string subject)
    {
        Google.Protobuf.Collections.RepeatedField<TagFamilySpec>? families = null;
        Google.Protobuf.Collections.RepeatedField<string>? entity = null;
        if (catalog.TryGetMeasure(group, subject, out Measure? measure))
        {
            (families, entity) = (measure.TagFamilies, measure.Entity?.TagNames);
        }
        else if (catalog.TryGetStream(group, subject, out Banyan.Api.Database.V1.Stream? stream))
        {
            (families, entity) = (stream.TagFamilies, stream.Entity?.TagNames);
        }

        if (families is null || entity is null)
        {
            throw new SchemaNotFoundException($"Group '{group}' has no stream or measure named '{subject}'.");
        }

        return [.. entity.Select(tag => (families.First(f => f.Tags.Any(t => t.Name == tag)).Name, tag))];
    }
}
