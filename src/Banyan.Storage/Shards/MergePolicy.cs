namespace Banyan.Storage.Shards;

/// <summary>
/// Size-tiered merge selection in the manner of VictoriaMetrics' <c>appendPartsToMerge</c> and
/// BanyanDB's merger: among windows of 2..<see cref="MaxPartsPerMerge"/> adjacent parts (adjacent in
/// age, so the newer-part-wins rule for equal measure versions survives the merge), pick the one
/// whose output is largest relative to its largest input, if that ratio reaches
/// <see cref="MinOutputToLargestRatio"/> and the output stays under <see cref="MaxOutputBytes"/>.
/// A high ratio means many similar-size parts become one, so each byte is rewritten about
/// log_ratio(total) times over its life instead of once per merge.
/// </summary>
public sealed class MergePolicy
{
    /// <summary>Most parts merged at once (default 8).</summary>
    public int MaxPartsPerMerge { get; init; } = 8;

    /// <summary>
    /// Output size / largest input size must reach this (default 4: VictoriaMetrics' floor
    /// max(1.7, maxPartsToMerge / 2) for the default 8 parts; change the two together). A merge then combines about four
    /// or more similar parts, so a sample is rewritten about log4 of (final / flushed size) times; a
    /// floor near 2 would merge pairs and rewrite it log2 times, roughly twice the merge work.
    /// </summary>
    public double MinOutputToLargestRatio { get; init; } = 4;

    /// <summary>No merge produces a part larger than this many (compressed) bytes (default 4 GiB).</summary>
    public long MaxOutputBytes { get; init; } = 4L << 30;

    /// <summary>Throws a clear error naming the bad setting.</summary>
    public void Validate()
    {
        if (MaxPartsPerMerge < 2)
        {
            throw new ArgumentException($"MergePolicy.MaxPartsPerMerge must be at least 2, got {MaxPartsPerMerge}", nameof(MaxPartsPerMerge));
        }

        if (!(MinOutputToLargestRatio >= 1))
        {
            throw new ArgumentException($"MergePolicy.MinOutputToLargestRatio must be at least 1, got {MinOutputToLargestRatio}", nameof(MinOutputToLargestRatio));
        }

        if (MaxOutputBytes < 1)
        {
            throw new ArgumentException($"MergePolicy.MaxOutputBytes must be positive, got {MaxOutputBytes}", nameof(MaxOutputBytes));
        }
    }

    /// <summary>
    /// Picks the window to merge from part sizes given oldest first. Returns false when no window
    /// is worth merging. With <paramref name="force"/>, every part is merged into one (when there are two or more).
    /// </summary>
    public bool TryPick(ReadOnlySpan<long> sizes, bool force, out int start, out int count)
    {
        start = 0;
        count = 0;
        if (sizes.Length < 2)
        {
            return false;
        }

        if (force)
        {
            count = sizes.Length;
            return true;
        }

        double bestRatio = 0;
        long bestTotal = long.MaxValue;
        for (int i = 0; i < sizes.Length - 1; i++)
        {
            long total = sizes[i];
            long largest = sizes[i];
            for (int k = 2; k <= MaxPartsPerMerge && i + k <= sizes.Length; k++)
            {
                long size = sizes[i + k - 1];
                total += size;
                largest = Math.Max(largest, size);
                if (total > MaxOutputBytes)
                {
                    break;
                }

                double ratio = (double)total / Math.Max(1, largest);
                if (ratio >= MinOutputToLargestRatio && (ratio > bestRatio || (ratio == bestRatio && total < bestTotal)))
                {
                    bestRatio = ratio;
                    bestTotal = total;
                    start = i;
                    count = k;
                }
            }
        }

        return count > 0;
    }
}
