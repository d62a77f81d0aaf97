namespace Banyan.Grains.Hosting;

/// <summary>Settings of the segment lifecycle that each group grain runs (section <c>Silo:Segments</c>).</summary>
public sealed class SegmentOptions
{
    /// <summary>How often a group grain creates the next segment ahead and drops expired ones.</summary>
    public TimeSpan MaintenancePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long after a segment expires (end ≤ now − TTL) its shards are deleted. Queries stop seeing it at once; the
    /// delay lets a write that was validated just before the instant (or on a silo whose clock is a little behind) land
    /// before the folder goes, so no write recreates a deleted shard.
    /// </summary>
    public TimeSpan DropDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a silo's query path may answer which segments and shards a group has from the listing the group grain
    /// gave it, before asking again (<c>IGroupGrain.GetSegmentListing</c>). Saves a grain call per query; in exchange,
    /// the first write to a new shard of a segment waits up to this long before it is acknowledged, if queries listed
    /// the group's segments just before. Zero asks the group grain on every query.
    /// </summary>
    public TimeSpan ListingLease { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest <see cref="ListingLease"/>: a write waits for it.</summary>
    public static TimeSpan MaxListingLease { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaintenancePeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Segments:MaintenancePeriod is {MaintenancePeriod}; it must be positive.");
        }

        if (DropDelay < TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Segments:DropDelay is {DropDelay}; it must not be negative.");
        }

        if (ListingLease < TimeSpan.Zero || ListingLease > MaxListingLease)
        {
            throw new ArgumentException($"Silo:Segments:ListingLease is {ListingLease}; it must be between 0 and {MaxListingLease}.");
        }
    }
}
