using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Stream.V1;

namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// A run of consecutive stream write requests of one gRPC write stream that share the metadata and the tag family spec
/// in force (the last ones the stream carried). The requests' own <c>metadata</c> and <c>tag_family_spec</c> fields are
/// not read; <see cref="Metadata"/> and <see cref="Spec"/> apply.
/// </summary>
/// <param name="Metadata">Group, name and the client's <c>mod_revision</c> of the stream written.</param>
/// <param name="Spec">The tag family spec in force (tag order of the values); empty: schema order.</param>
/// <param name="Requests">The requests, in stream order. Nobody changes them once the batch is built.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.StreamWriteBatch")]
public sealed record StreamWriteBatch(
    [property: Id(0)] Metadata Metadata,
    [property: Id(1)] ImmutableArray<TagFamilySpec> Spec,
    [property: Id(2)] ImmutableArray<WriteRequest> Requests);
