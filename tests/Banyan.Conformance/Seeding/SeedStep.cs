namespace Banyan.Conformance.Seeding;

/// <summary>
/// One step of <c>seed.json</c>'s write schedule: one bidi write stream (or a pause, when <see cref="WaitSeconds"/> is set).
/// </summary>
public sealed record SeedStep
{
    /// <summary>Position in <c>seed.json</c> (0-based), for messages.</summary>
    public required int Index { get; init; }

    /// <summary>The catalog written: <c>stream</c>, <c>measure</c>, <c>trace</c> or <c>property</c>; null for a pause.</summary>
    public string? Catalog { get; init; }

    /// <summary>The write mode; null for a pause.</summary>
    public SeedMode? Mode { get; init; }

    /// <summary>Schema name (single-file steps).</summary>
    public string? Name { get; init; }

    /// <summary>Schema group (single-file steps).</summary>
    public string? Group { get; init; }

    /// <summary>The data file (single-file steps), relative to the conformance root.</summary>
    public string? File { get; init; }

    /// <summary>Offset of the step's base from B, in ms.</summary>
    public long BaseOffsetMs { get; init; }

    /// <summary>Time between consecutive entries, in ms.</summary>
    public long IntervalMs { get; init; }

    /// <summary>The parts of a mixed-order step (empty otherwise).</summary>
    public IReadOnlyList<SeedPart> Parts { get; init; } = [];

    /// <summary>The step's note from <c>seed.json</c>, if any.</summary>
    public string? Note { get; init; }

    /// <summary>A pause upstream makes here, in seconds; null for a write step.</summary>
    public double? WaitSeconds { get; init; }

    /// <summary>
    /// The step writes data beyond the group's TTL on purpose (its note starts with "expired"): such data must never
    /// be returned by a query, and the server may acknowledge or refuse it (see <see cref="WriteResponseCheck"/>).
    /// </summary>
    public bool IsExpired => Note is not null && Note.StartsWith("expired", StringComparison.Ordinal);

    /// <summary>A short description for messages: index, mode, schema and file.</summary>
    public string Describe()
    {
        if (WaitSeconds is double seconds)
        {
            return $"step {Index} (wait {seconds} s)";
        }

        string target = Parts.Count > 0
            ? string.Join(" + ", Parts.Select(p => (p.Group is null ? string.Empty : $"{p.Group}/{p.Name} ") + Path.GetFileName(p.File)))
            : $"{Group}/{Name} {Path.GetFileName(File)}";
        string offset = BaseOffsetMs == 0 ? string.Empty : $", base B{(BaseOffsetMs > 0 ? "+" : string.Empty)}{BaseOffsetMs} ms";
        return $"step {Index} ({Mode}: {target}{offset}{(IsExpired ? ", expired" : string.Empty)})";
    }
}
