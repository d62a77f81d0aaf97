namespace Banyan.GrainInterfaces.Schema;

/// <summary>The kinds of schema the catalog holds, one per BanyanDB registry service.</summary>
[GenerateSerializer]
[Alias("banyan.SchemaKind")]
public enum SchemaKind
{
    /// <summary><c>common.v1.Group</c> (<c>GroupRegistryService</c>): catalog, shards, segment interval, TTL.</summary>
    Group = 1,

    /// <summary><c>database.v1.Stream</c> (<c>StreamRegistryService</c>).</summary>
    Stream = 2,

    /// <summary><c>database.v1.Measure</c> (<c>MeasureRegistryService</c>).</summary>
    Measure = 3,

    /// <summary><c>database.v1.IndexRule</c> (<c>IndexRuleRegistryService</c>).</summary>
    IndexRule = 4,

    /// <summary><c>database.v1.IndexRuleBinding</c> (<c>IndexRuleBindingRegistryService</c>).</summary>
    IndexRuleBinding = 5,

    /// <summary><c>database.v1.TopNAggregation</c> (<c>TopNAggregationRegistryService</c>).</summary>
    TopNAggregation = 6,
}
