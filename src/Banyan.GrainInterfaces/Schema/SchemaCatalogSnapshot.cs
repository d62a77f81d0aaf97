using System.Collections.Immutable;
using Google.Protobuf;

namespace Banyan.GrainInterfaces.Schema;

/// <summary>The whole catalog at one revision: what a silo's schema cache loads when it starts or falls behind.</summary>
/// <param name="Revision">The catalog revision (0: nothing was ever stored).</param>
/// <param name="Schemas">Every schema, groups first (each one of the six schema messages, revisions stamped).</param>
[GenerateSerializer]
[Alias("banyan.SchemaCatalogSnapshot")]
public sealed record SchemaCatalogSnapshot(
    [property: Id(0)] long Revision,
    [property: Id(1)] ImmutableArray<IMessage> Schemas);
