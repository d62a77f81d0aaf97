using System.Diagnostics.Metrics;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Grains.Writes;

/// <summary>
/// Counters of the write path, on the meter <see cref="MeterName"/>: elements stored, refused (by status) and accepted
/// but not stored because they are older than the group's TTL (BanyanDB answers those <c>STATUS_SUCCEED</c> too, so the
/// count is how an operator sees them).
/// </summary>
internal static class WriteMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Banyan.Writes";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_stored = s_meter.CreateCounter<long>("banyan.write.elements.stored", "{element}", "Elements written durably.");
    private static readonly Counter<long> s_refused = s_meter.CreateCounter<long>("banyan.write.elements.refused", "{element}", "Elements not stored, by status.");
    private static readonly Counter<long> s_expired = s_meter.CreateCounter<long>("banyan.write.elements.expired", "{element}", "Elements answered STATUS_SUCCEED but not stored: older than the group's TTL.");

    /// <summary>Counts the outcome of one batch of <paramref name="group"/>.</summary>
    public static void Record(string group, WriteOutcome outcome)
    {
        KeyValuePair<string, object?> groupTag = new("group", group);
        s_stored.Add(outcome.Statuses.Length - outcome.Refusals.Length - outcome.Expired, groupTag);
        if (outcome.Expired > 0)
        {
            s_expired.Add(outcome.Expired, groupTag);
        }

        foreach (ElementRefusal refusal in outcome.Refusals)
        {
            s_refused.Add(1, groupTag, new KeyValuePair<string, object?>("status", outcome.Statuses[refusal.Index].ToString()));
        }
    }
}
