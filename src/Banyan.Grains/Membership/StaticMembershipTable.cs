using System.Net;
using System.Text;
using Banyan.Grains.Runtime;
using Banyan.Grains.Transport;

namespace Banyan.Grains.Membership;

/// <summary>
/// Membership from a fixed list of silo endpoints: reading the table pings each endpoint and lists
/// the incarnation that answers as Active. Status written by this silo (a silo it declared dead,
/// its own stop) overrides what it reads, so a dead incarnation never comes back; a restarted
/// silo answers with a new generation and is listed again.
/// </summary>
internal sealed class StaticMembershipTable(IPEndPoint[] endpoints, ISiloTransport transport) : IMembershipTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SiloAddress, MembershipEntry> _written = [];

    public async Task<IReadOnlyList<MembershipEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        Task<SiloAddress?>[] pings = new Task<SiloAddress?>[endpoints.Length];
        for (int i = 0; i < endpoints.Length; i++)
        {
            pings[i] = PingAsync(endpoints[i], cancellationToken);
        }

        SiloAddress?[] answers = await Task.WhenAll(pings).ConfigureAwait(false);
        List<MembershipEntry> rows = [];
        lock (_lock)
        {
            rows.AddRange(_written.Values);
            foreach (SiloAddress? answer in answers)
            {
                if (answer is not null && !_written.ContainsKey(answer))
                {
                    rows.Add(new MembershipEntry(answer, SiloStatus.Active, DateTimeOffset.UtcNow));
                }
            }
        }

        return rows;
    }

    public Task UpsertAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            if (!_written.TryGetValue(entry.Silo, out MembershipEntry? existing) || existing.Status != SiloStatus.Dead)
            {
                _written[entry.Silo] = entry;
            }
        }

        return Task.CompletedTask;
    }

    private async Task<SiloAddress?> PingAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            RequestMessage ping = new()
            {
                Kind = MessageKind.Ping,
                InterfaceName = string.Empty,
                GrainKey = string.Empty,
                MethodKey = string.Empty,
                Arguments = [],
            };
            ResponseMessage response = await transport.SendAsync(new SiloAddress(endpoint.Address.ToString(), endpoint.Port, 0), ping, timeout.Token).ConfigureAwait(false);
            return response.Status == ResponseStatus.Ok && response.Result is { } bytes ? SiloAddress.Parse(Encoding.UTF8.GetString(bytes)) : null;
        }
        catch (Exception e) when (e is SiloUnavailableException or OperationCanceledException or HttpRequestException)
        {
            return null;
        }
    }
}
