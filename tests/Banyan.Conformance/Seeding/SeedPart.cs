using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Seeding;

/// <summary>One part of a mixed-order step: all parts of a step go over one bidi stream.</summary>
public sealed record SeedPart
{
    /// <summary>The data file, relative to the conformance root.</summary>
    public required string File { get; init; }

    /// <summary><c>schemaOrder</c> (tags in schema order, like the counter modes) or <c>spec</c> (the part sends a spec).</summary>
    public required bool IsSpec { get; init; }

    /// <summary>The schema the part switches to, or null to keep writing to the previous part's schema.</summary>
    public string? Name { get; init; }

    /// <summary>The group of <see cref="Name"/>.</summary>
    public string? Group { get; init; }

    /// <summary>Spec parts: whether the part's first request carries <c>metadata</c> too (upstream sends it when the part names a schema).</summary>
    public bool MetadataOnFirstRequest { get; init; }

    /// <summary>Stream spec parts: the <c>tag_family_spec</c> of the part's first request.</summary>
    public IReadOnlyList<StreamV1.TagFamilySpec> TagFamilySpec { get; init; } = [];

    /// <summary>Measure spec parts: the <c>data_point_spec</c> of the part's first request.</summary>
    public MeasureV1.DataPointSpec? DataPointSpec { get; init; }
}
