using System.Globalization;

namespace Banyan.Grains;

/// <summary>
/// One silo incarnation: host, silo port and generation (its start time in ticks), so a silo
/// restarted on the same port is a different silo, as in Orleans.
/// </summary>
public sealed record SiloAddress(string Host, int Port, long Generation) : IComparable<SiloAddress>
{
    /// <summary>The port clients use to reach this silo as a gateway (0 when it is not a gateway).</summary>
    public int GatewayPort { get; init; }

    /// <summary>A stable hash of the address, used by consistent hashing.</summary>
    internal uint UniformHash { get; } = StableHash.Of(Host + ":" + Port.ToString(CultureInfo.InvariantCulture) + "@" + Generation.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc/>
    public int CompareTo(SiloAddress? other)
    {
        if (other is null)
        {
            return 1;
        }

        int c = string.CompareOrdinal(Host, other.Host);
        if (c != 0)
        {
            return c;
        }

        c = Port.CompareTo(other.Port);
        return c != 0 ? c : Generation.CompareTo(other.Generation);
    }

    /// <summary>Orders by host, port, generation.</summary>
    public static bool operator <(SiloAddress left, SiloAddress right) => Compare(left, right) < 0;

    /// <summary>Orders by host, port, generation.</summary>
    public static bool operator <=(SiloAddress left, SiloAddress right) => Compare(left, right) <= 0;

    /// <summary>Orders by host, port, generation.</summary>
    public static bool operator >(SiloAddress left, SiloAddress right) => Compare(left, right) > 0;

    /// <summary>Orders by host, port, generation.</summary>
    public static bool operator >=(SiloAddress left, SiloAddress right) => Compare(left, right) >= 0;

    private static int Compare(SiloAddress? left, SiloAddress? right) => left is null ? (right is null ? 0 : -1) : left.CompareTo(right);

    /// <summary>Parses the form written by <see cref="ToString"/>.</summary>
    public static SiloAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        if (parts.Length != 4
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long generation)
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out int gatewayPort))
        {
            throw new FormatException($"'{text}' is not a silo address (host:port:generation:gatewayPort).");
        }

        return new SiloAddress(parts[0], port, generation) { GatewayPort = gatewayPort };
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}:{Generation}:{GatewayPort}");
}
