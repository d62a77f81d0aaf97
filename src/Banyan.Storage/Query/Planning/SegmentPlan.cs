using Banyan.Storage.Index.Segments;

namespace Banyan.Storage.Query.Planning;

/// <summary>A segment and the plan of one query for it.</summary>
/// <param name="Segment">The segment.</param>
/// <param name="Plan">Candidates and residual for that segment.</param>
public sealed record SegmentPlan(IndexSegment Segment, FilterPlan Plan);
