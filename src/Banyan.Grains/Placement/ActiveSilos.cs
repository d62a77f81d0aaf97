namespace Banyan.Grains.Placement;

/// <summary>Maps a stable node name (Orleans' <c>SiloOptions.SiloName</c>) to the address of the active silo carrying it.</summary>
internal static class ActiveSilos
{
    /// <summary>
    /// The compatible silo named <paramref name="name"/> that membership lists as active; when two share the name (a
    /// restarted node before its old entry is retired) the newest generation. Null when there is none.
    /// </summary>
    public static SiloAddress? FindByName(IClusterMembershipService membership, SiloAddress[] compatible, string name)
    {
        ClusterMembershipSnapshot snapshot = membership.CurrentSnapshot;
        SiloAddress? chosen = null;
        foreach (SiloAddress silo in compatible)
        {
            if (snapshot.Members.TryGetValue(silo, out ClusterMember? member)
                && member.Status == SiloStatus.Active
                && string.Equals(member.Name, name, StringComparison.Ordinal)
                && (chosen is null || silo.Generation > chosen.Generation))
            {
                chosen = silo;
            }
        }

        return chosen;
    }
}
