using System.Net;

namespace Banyan.Grains;

/// <summary>Where a client finds gateways (as Orleans' <c>IGatewayListProvider</c>).</summary>
public interface IGatewayListProvider
{
    /// <summary>The gateways to try, in preference order.</summary>
    Task<IReadOnlyList<SiloAddress>> GetGatewaysAsync(CancellationToken cancellationToken);
}

/// <summary>A fixed list of gateway endpoints.</summary>
public sealed class StaticGatewayListProvider : IGatewayListProvider
{
    private readonly SiloAddress[] _gateways;

    /// <summary>Creates the provider from gateway endpoints (host and gateway port).</summary>
    public StaticGatewayListProvider(params IPEndPoint[] gateways)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        _gateways = Array.ConvertAll(gateways, g => new SiloAddress(g.Address.ToString(), 0, 0) { GatewayPort = g.Port });
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<SiloAddress>> GetGatewaysAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<SiloAddress>>(_gateways);
}

/// <summary>Gateways of the active silos of a membership table.</summary>
public sealed class MembershipGatewayListProvider(IMembershipTable table) : IGatewayListProvider
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<SiloAddress>> GetGatewaysAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<MembershipEntry> rows = await table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        List<SiloAddress> gateways = [];
        foreach (MembershipEntry row in rows)
        {
            if (row.Status == SiloStatus.Active && row.Silo.GatewayPort != 0)
            {
                gateways.Add(row.Silo);
            }
        }

        gateways.Sort();
        return gateways;
    }
}
