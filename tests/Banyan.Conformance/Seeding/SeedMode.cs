namespace Banyan.Conformance.Seeding;

/// <summary>How a <c>seed.json</c> step turns its data file into write requests (see the fixtures' README).</summary>
public enum SeedMode
{
    /// <summary>Stream: array of <c>TagFamilyForWrite</c> (the <c>searchable</c> family); ids and times from a per-call counter.</summary>
    StreamCounter,

    /// <summary>Stream: array of <c>{element_id, tags}</c>; the given ids, time <c>B + index × interval</c>.</summary>
    StreamExplicitId,

    /// <summary>Stream: schema-order part then spec parts over one bidi stream, counter and clock carried on.</summary>
    StreamMixed,

    /// <summary>Measure: array of <c>DataPointValue</c>; the last entry lands on <c>B + baseOffset</c>.</summary>
    MeasureTrailing,

    /// <summary>Measure: schema-order part then spec parts over one bidi stream.</summary>
    MeasureMixed,

    /// <summary>Trace writes (not seeded by this harness yet).</summary>
    TraceVersioned,

    /// <summary>Trace mixed-order writes (not seeded by this harness yet).</summary>
    TraceMixed,

    /// <summary>Property apply (not seeded by this harness yet).</summary>
    PropertyApply,
}
