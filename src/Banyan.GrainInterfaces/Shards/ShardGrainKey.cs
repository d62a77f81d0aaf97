using System.Globalization;

namespace Banyan.GrainInterfaces.Shards;

/// <summary>
/// The key of a shard grain: <c>&lt;group&gt;/&lt;yyyyMMddHH&gt;/&lt;shard&gt;</c>, e.g. <c>sw_metric/2026120100/3</c>
/// — the group name, the segment's start in UTC to the hour (the same text as the segment folder
/// <c>seg-yyyyMMddHH</c>), and the shard number. The key names the shard folder
/// <c>&lt;DataRoot&gt;/&lt;group&gt;/seg-&lt;yyyyMMddHH&gt;/shard-&lt;n&gt;/</c> on the owner's disk.
/// </summary>
public readonly record struct ShardGrainKey
{
    /// <summary>The format of the segment part of the key (UTC).</summary>
    public const string SegmentFormat = "yyyyMMddHH";

    /// <summary>The longest group name in UTF-16 code units (it becomes a folder name).</summary>
    public const int MaxGroupNameLength = 200;

    /// <summary>Creates a key; validates every part.</summary>
    /// <exception cref="ArgumentException">The group name is not a valid folder name, the segment start is not on a whole UTC hour, or the shard is negative.</exception>
    public ShardGrainKey(string group, DateTimeOffset segmentStart, int shard)
    {
        ValidateGroupName(group);
        if (segmentStart.UtcTicks % TimeSpan.TicksPerHour != 0)
        {
            throw new ArgumentException($"Segment start {segmentStart:O} is not on a whole hour (UTC); segments start on hour boundaries.", nameof(segmentStart));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        Group = group;
        SegmentStart = segmentStart.ToUniversalTime();
        Shard = shard;
    }

    /// <summary>The group name.</summary>
    public string Group { get; }

    /// <summary>The start of the segment (UTC, whole hour).</summary>
    public DateTimeOffset SegmentStart { get; }

    /// <summary>The shard number within the group.</summary>
    public int Shard { get; }

    /// <summary>The segment as it appears in the key and the segment folder name.</summary>
    public string SegmentText => SegmentStart.UtcDateTime.ToString(SegmentFormat, CultureInfo.InvariantCulture);

    /// <summary>The grain key text.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Group}/{SegmentText}/{Shard}");

    /// <summary>Parses a key made by <see cref="ToString"/>.</summary>
    /// <exception cref="FormatException">The text is not a shard grain key; the message says which part is wrong.</exception>
    public static ShardGrainKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string[] parts = key.Split('/');
        if (parts.Length != 3)
        {
            throw new FormatException($"Shard grain key '{key}' must have three parts, group/{SegmentFormat}/shard.");
        }

        if (!DateTime.TryParseExact(parts[1], SegmentFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime start))
        {
            throw new FormatException($"Shard grain key '{key}': segment '{parts[1]}' is not {SegmentFormat} (UTC).");
        }

        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int shard))
        {
            throw new FormatException($"Shard grain key '{key}': shard '{parts[2]}' is not a non-negative integer.");
        }

        try
        {
            return new ShardGrainKey(parts[0], new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)), shard);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Shard grain key '{key}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks that <paramref name="group"/> can be a folder name on every silo: 1 to
    /// <see cref="MaxGroupNameLength"/> characters among ASCII letters, digits, '_', '-' and '.',
    /// not starting with '_' or '.' (the data root keeps its own folders, such as <c>_grains</c>, under '_').
    /// </summary>
    /// <exception cref="ArgumentException">The name breaks a rule; the message says which.</exception>
    public static void ValidateGroupName(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Length == 0 || group.Length > MaxGroupNameLength)
        {
            throw new ArgumentException($"Group name must have 1 to {MaxGroupNameLength} characters; '{group}' has {group.Length}.", nameof(group));
        }

        if (group[0] is '_' or '.')
        {
            throw new ArgumentException($"Group name '{group}' must not start with '{group[0]}' (reserved for Banyan's own folders).", nameof(group));
        }

        foreach (char c in group)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                throw new ArgumentException($"Group name '{group}' contains '{c}'; only ASCII letters, digits, '_', '-' and '.' are allowed.", nameof(group));
            }
        }
    }
}
