using System.Collections.Immutable;

namespace Banyan.GrainInterfaces.Schema;

/// <summary>The names of the schemas a group holds, by kind, sorted (BanyanDB's <c>SchemaInfo</c>).</summary>
[GenerateSerializer]
[Alias("banyan.GroupContents")]
public sealed record GroupContents(
    [property: Id(0)] ImmutableArray<string> Streams,
    [property: Id(1)] ImmutableArray<string> Measures,
    [property: Id(2)] ImmutableArray<string> IndexRules,
    [property: Id(3)] ImmutableArray<string> IndexRuleBindings,
    [property: Id(4)] ImmutableArray<string> TopNAggregations);
