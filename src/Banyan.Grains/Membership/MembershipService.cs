using Banyan.Grains.Runtime;
using Banyan.Grains.Transport;
using Microsoft.Extensions.Logging;

namespace Banyan.Grains.Membership;

/// <summary>
/// A silo's view of the cluster: reads the membership table, keeps the sorted list of active
/// silos, probes the others and declares a silo dead after <see cref="ClusterMembershipOptions.NumMissedProbesLimit"/>
/// consecutive failed probes. Changes this silo makes are pushed to the others at once (standing
/// in for Orleans' gossip); everything else is picked up at the next table refresh.
/// </summary>
internal sealed class MembershipService : IAsyncDisposable
{
    private readonly IMembershipTable _table;
    private readonly ISiloTransport _transport;
    private readonly ClusterMembershipOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<SiloAddress, int> _missedProbes = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private ITimer? _refreshTimer;
    private ITimer? _probeTimer;
    private SiloAddress[] _active = [];
    private bool _stopped;

    public MembershipService(IMembershipTable table, ISiloTransport transport, ClusterMembershipOptions options, TimeProvider time, ILogger logger, SiloAddress self)
    {
        _table = table;
        _transport = transport;
        _options = options;
        _time = time;
        _logger = logger;
        Self = self;
        _active = [self];
    }

    public SiloAddress Self { get; }

    /// <summary>Raised after the set of active silos changed.</summary>
    public event Action<SiloAddress[]>? Changed;

    /// <summary>The active silos, sorted; always includes this silo while it runs.</summary>
    public SiloAddress[] ActiveSilos => Volatile.Read(ref _active);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _table.UpsertAsync(new MembershipEntry(Self, SiloStatus.Active, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        await NotifyOthersAsync().ConfigureAwait(false);
        _refreshTimer = _time.CreateTimer(static s => _ = ((MembershipService)s!).RefreshAsync(CancellationToken.None), this, _options.TableRefreshTimeout, _options.TableRefreshTimeout);
        _probeTimer = _time.CreateTimer(static s => _ = ((MembershipService)s!).ProbeAllAsync(), this, _options.ProbeTimeout, _options.ProbeTimeout);
    }

    /// <summary>Graceful stop: marks this silo Stopped so the others drop it at once.</summary>
    public async Task StopAsync(bool graceful)
    {
        _stopped = true;
        _refreshTimer?.Dispose();
        _probeTimer?.Dispose();
        if (graceful)
        {
            try
            {
                await _table.UpsertAsync(new MembershipEntry(Self, SiloStatus.Stopped, _time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
                await NotifyOthersAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Could not record the stop of silo {Silo} in the membership table", Self);
            }
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }

        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<MembershipEntry> rows = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            List<SiloAddress> active = [];
            foreach (MembershipEntry row in rows)
            {
                if (row.Status == SiloStatus.Active)
                {
                    active.Add(row.Silo);
                }
            }

            if (!active.Contains(Self))
            {
                active.Add(Self);
            }

            active.Sort();
            SiloAddress[] previous = ActiveSilos;
            if (!previous.AsSpan().SequenceEqual(active.ToArray()))
            {
                Volatile.Write(ref _active, active.ToArray());
                Changed?.Invoke(ActiveSilos);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Reading the membership table failed; keeping the current view");
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <summary>A send to <paramref name="silo"/> failed: probe it now, up to the missed-probe limit, and declare it dead if it never answers.</summary>
    public async Task<bool> SuspectAsync(SiloAddress silo)
    {
        for (int attempt = 0; attempt < _options.NumMissedProbesLimit; attempt++)
        {
            if (await ProbeAsync(silo).ConfigureAwait(false))
            {
                return false;
            }
        }

        await DeclareDeadAsync(silo).ConfigureAwait(false);
        return true;
    }

    private async Task ProbeAllAsync()
    {
        if (_stopped)
        {
            return;
        }

        foreach (SiloAddress silo in ActiveSilos)
        {
            if (silo == Self)
            {
                continue;
            }

            bool alive = await ProbeAsync(silo).ConfigureAwait(false);
            int missed;
            lock (_lock)
            {
                missed = alive ? 0 : _missedProbes.GetValueOrDefault(silo) + 1;
                _missedProbes[silo] = missed;
            }

            if (missed >= _options.NumMissedProbesLimit)
            {
                await DeclareDeadAsync(silo).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> ProbeAsync(SiloAddress silo)
    {
        try
        {
            using CancellationTokenSource timeout = new(_options.ProbeTimeout, _time);
            RequestMessage ping = new()
            {
                Kind = MessageKind.Ping,
                InterfaceName = string.Empty,
                GrainKey = string.Empty,
                MethodKey = string.Empty,
                Arguments = [],
                Origin = Self,
                TargetSilo = silo,
            };
            ResponseMessage response = await _transport.SendAsync(silo, ping, timeout.Token).WaitAsync(_options.ProbeTimeout, _time).ConfigureAwait(false);
            return response.Status == ResponseStatus.Ok;
        }
        catch (Exception e) when (e is SiloUnavailableException or TimeoutException or OperationCanceledException or HttpRequestException)
        {
            return false;
        }
    }

    private async Task DeclareDeadAsync(SiloAddress silo)
    {
        _logger.LogWarning("Silo {Self} declares silo {Silo} dead: it did not answer {Count} probes", Self, silo, _options.NumMissedProbesLimit);
        try
        {
            await _table.UpsertAsync(new MembershipEntry(silo, SiloStatus.Dead, _time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not write the death of silo {Silo} to the membership table", silo);
        }

        lock (_lock)
        {
            _missedProbes.Remove(silo);
        }

        await RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        await NotifyOthersAsync().ConfigureAwait(false);
    }

    private async Task NotifyOthersAsync()
    {
        foreach (SiloAddress silo in ActiveSilos)
        {
            if (silo == Self)
            {
                continue;
            }

            try
            {
                RequestMessage changed = new()
                {
                    Kind = MessageKind.MembershipChanged,
                    InterfaceName = string.Empty,
                    GrainKey = string.Empty,
                    MethodKey = string.Empty,
                    Arguments = [],
                    Origin = Self,
                    TargetSilo = silo,
                };
                using CancellationTokenSource timeout = new(_options.ProbeTimeout, _time);
                await _transport.SendAsync(silo, changed, timeout.Token).WaitAsync(_options.ProbeTimeout, _time).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SiloUnavailableException or TimeoutException or OperationCanceledException or HttpRequestException)
            {
                // It will learn at its next refresh, or it is the one that died.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(graceful: false).ConfigureAwait(false);
        _refreshGate.Dispose();
    }
}
