namespace Banyan.Grains.TopN;

/// <summary>One data point of the source measure as a TopN processor takes it.</summary>
/// <param name="Timestamp">The point's timestamp, ns since the Unix epoch.</param>
/// <param name="GroupKey">The point's group-by values joined as BanyanDB joins them (<see cref="TopNGroupKey"/>).</param>
/// <param name="Item">The series, value and entity of the point.</param>
internal readonly record struct TopNPoint(long Timestamp, string GroupKey, TopNItem Item);
