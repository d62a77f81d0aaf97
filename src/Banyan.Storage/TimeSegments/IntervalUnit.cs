namespace Banyan.Storage.TimeSegments;

/// <summary>The unit of a segment interval or TTL, as in BanyanDB's <c>IntervalRule.Unit</c>.</summary>
public enum IntervalUnit
{
    /// <summary>Hours.</summary>
    Hour = 1,

    /// <summary>Days (24 hours; UTC has no daylight-saving shifts).</summary>
    Day = 2,
}
