using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;

namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// A run of consecutive measure write requests of one gRPC write stream that share the metadata and the data point
/// spec in force (the last ones the stream carried: BanyanDB's protocol lets later messages omit them). The requests'
/// own <c>metadata</c> and <c>data_point_spec</c> fields are not read; <see cref="Metadata"/> and <see cref="Spec"/> apply.
/// </summary>
/// <param name="Metadata">Group, name and the client's <c>mod_revision</c> of the measure written.</param>
/// <param name="Spec">The data point spec in force (tag and field order of the values), or null: schema order.</param>
/// <param name="Requests">The requests, in stream order. Nobody changes them once the batch is built. Empty when <paramref name="Wire"/> carries the elements.</param>
/// <param name="Wire">The elements' data points as encoded on the wire (the silo's write streams send these), or null: <paramref name="Requests"/>.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.MeasureWriteBatch")]
public sealed record MeasureWriteBatch(
    [property: Id(0)] Metadata Metadata,
    [property: Id(1)] DataPointSpec? Spec,
    [property: Id(2)] ImmutableArray<WriteRequest> Requests,
    [property: Id(3)] WireDataPoints? Wire = null)
{
    /// <summary>How many elements the batch has.</summary>
    public int Count => Wire?.Count ?? Requests.Length;
}
