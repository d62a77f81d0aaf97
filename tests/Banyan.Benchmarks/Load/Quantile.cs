namespace Banyan.Benchmarks.Load;

/// <summary>Quantiles of the pair commands' per-round figures: linear interpolation between the closest ranks.</summary>
public static class Quantile
{
    /// <summary>The <paramref name="p"/>-quantile (0 to 1) of <paramref name="values"/> (at least one).</summary>
    public static double Of(IReadOnlyCollection<double> values, double p)
    {
        double[] sorted = [.. values.Order()];
        double rank = p * (sorted.Length - 1);
        int low = (int)Math.Floor(rank);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyCollection<double> values) => Of(values, 0.5);
}
