namespace Banyan.Grains.TopN;

/// <summary>
/// A series' place among the series of its group-by value that one TopN aggregation has seen (<see cref="TopNSeriesTags"/>):
/// dense from 0 in the order they were first seen, meaningful within its <paramref name="Space"/> only (the series tags
/// start a new space when they start over). A window's list of that value finds the series' entry by it in an array
/// (<see cref="TopNCounters"/>) instead of hashing the series id into a map of its own: the same series arrive in about
/// the same order in every window, so the array is read nearly in order, where a map is read at random.
/// </summary>
/// <param name="Space">What the place is counted in; null: no place known (a point read in full, an item read back).</param>
/// <param name="Value">The place, from 0.</param>
internal readonly record struct TopNSeriesOrdinal(object? Space, int Value)
{
    /// <summary>True when the series has a place (<see cref="Space"/> is set).</summary>
    public bool IsKnown => Space is not null;
}
