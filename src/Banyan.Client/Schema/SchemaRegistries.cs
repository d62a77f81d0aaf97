using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Client.Schema;

/// <summary>
/// The schema catalog, one registry per kind as BanyanDB's registry services split it:
/// <c>client.Schemas.Measures.CreateAsync(measure)</c>. Every change returns once every silo's schema cache has it,
/// so a write or query right after sees it.
/// </summary>
public sealed class SchemaRegistries
{
    internal SchemaRegistries(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        Groups = new GroupRegistry(grains);
        Streams = new SchemaRegistry<StreamSchema>(grains, SchemaKind.Stream);
        Measures = new SchemaRegistry<Measure>(grains, SchemaKind.Measure);
        IndexRules = new SchemaRegistry<IndexRule>(grains, SchemaKind.IndexRule);
        IndexRuleBindings = new SchemaRegistry<IndexRuleBinding>(grains, SchemaKind.IndexRuleBinding);
        TopNAggregations = new SchemaRegistry<TopNAggregation>(grains, SchemaKind.TopNAggregation);
    }

    /// <summary>Groups (<c>common.v1.Group</c>).</summary>
    public GroupRegistry Groups { get; }

    /// <summary>Streams (<c>database.v1.Stream</c>).</summary>
    public SchemaRegistry<StreamSchema> Streams { get; }

    /// <summary>Measures (<c>database.v1.Measure</c>).</summary>
    public SchemaRegistry<Measure> Measures { get; }

    /// <summary>Index rules (<c>database.v1.IndexRule</c>).</summary>
    public SchemaRegistry<IndexRule> IndexRules { get; }

    /// <summary>Index rule bindings (<c>database.v1.IndexRuleBinding</c>).</summary>
    public SchemaRegistry<IndexRuleBinding> IndexRuleBindings { get; }

    /// <summary>TopN aggregations (<c>database.v1.TopNAggregation</c>).</summary>
    public SchemaRegistry<TopNAggregation> TopNAggregations { get; }
}
