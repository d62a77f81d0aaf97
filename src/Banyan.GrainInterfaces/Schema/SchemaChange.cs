using System.Collections.Immutable;
using Google.Protobuf;

namespace Banyan.GrainInterfaces.Schema;

/// <summary>
/// One committed catalog change, as the metadata grain pushes it to every silo's schema cache: the catalog
/// goes from <see cref="PreviousRevision"/> to <see cref="Revision"/> (= previous + 1) by storing
/// <see cref="Upserts"/> (complete schema messages, revisions stamped) and removing <see cref="Deletions"/>.
/// A cache at another revision than <see cref="PreviousRevision"/> cannot apply it and asks for the whole
/// catalog instead.
/// </summary>
/// <param name="PreviousRevision">The catalog revision the change applies to.</param>
/// <param name="Revision">The catalog revision after the change.</param>
/// <param name="Upserts">Schemas created or replaced (each one of the six schema messages).</param>
/// <param name="Deletions">Schemas removed.</param>
[GenerateSerializer]
[Alias("banyan.SchemaChange")]
public sealed record SchemaChange(
    [property: Id(0)] long PreviousRevision,
    [property: Id(1)] long Revision,
    [property: Id(2)] ImmutableArray<IMessage> Upserts,
    [property: Id(3)] ImmutableArray<SchemaKey> Deletions);
