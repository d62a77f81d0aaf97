using System.Collections.Concurrent;
using Banyan.Grains.Invocation;
using Banyan.Grains.Membership;
using Banyan.Grains.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Runtime;

/// <summary>
/// The heart of a silo: routes requests to activations (creating them on first call), forwards
/// requests for grains that live elsewhere, and keeps the directory partition this silo owns.
/// <para>
/// Directory: the owner of a grain's directory entry is chosen by rendezvous hashing of the grain
/// id over the active silos, so every silo computes the same owner without a protocol. The owner
/// places the grain (by its placement strategy) and records where; requests for a grain go to the
/// owner, which forwards them to the hosting silo. When a silo dies, entries pointing at it are
/// dropped and its grains are placed again on the next call.
/// </para>
/// </summary>
internal sealed class SiloRuntime : IGrainCallInvoker, IMessageHandler, IAsyncDisposable
{
    private const int MaxHops = 4;

    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly ConcurrentDictionary<GrainId, StatelessWorkerGroup> _workers = new();
    private readonly ConcurrentDictionary<GrainId, SiloAddress> _directory = new();
    private readonly Lock _catalogLock = new();
    private readonly ISiloTransport _transport;
    private readonly IMembershipTable _membershipTable;
    private readonly Dictionary<Type, IPlacementDirector> _directors;
    private readonly TimeSpan _responseTimeout;
    private MembershipService? _membership;
    private ITimer? _collector;
    private int _state; // 0 created, 1 running, 2 stopping, 3 stopped

    public SiloRuntime(
        IServiceProvider services,
        ISiloTransport transport,
        IMembershipTable membershipTable,
        IOptions<GrainCollectionOptions> collectionOptions,
        IOptions<SiloMessagingOptions> messagingOptions,
        IOptions<ClusterMembershipOptions> membershipOptions,
        IOptions<EndpointOptions> endpointOptions,
        IEnumerable<PlacementDirectorRegistration> directors,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        Services = services;
        _transport = transport;
        _membershipTable = membershipTable;
        CollectionOptions = collectionOptions.Value;
        MembershipOptions = membershipOptions.Value;
        _responseTimeout = messagingOptions.Value.ResponseTimeout;
        TimeProvider = timeProvider;
        Logger = loggerFactory.CreateLogger("Banyan.Grains.Silo");
        EndpointOptions endpoints = endpointOptions.Value;
        Address = new SiloAddress(endpoints.AdvertisedIPAddress.ToString(), endpoints.SiloPort, timeProvider.GetUtcNow().UtcTicks + Interlocked.Increment(ref s_generationSalt))
        {
            GatewayPort = endpoints.GatewayPort,
        };
        ReferenceFactory = new GrainReferenceFactory(this);
        _directors = new Dictionary<Type, IPlacementDirector>
        {
            [typeof(RandomPlacement)] = new RandomPlacementDirector(),
            [typeof(PreferLocalPlacement)] = new PreferLocalPlacementDirector(),
            [typeof(HashBasedPlacement)] = new HashBasedPlacementDirector(),
        };
        foreach (PlacementDirectorRegistration registration in directors)
        {
            _directors[registration.StrategyType] = registration.Director;
        }
    }

    // Two silos started in the same clock tick (a fake clock in tests) still get distinct generations.
    private static long s_generationSalt;

    public SiloAddress Address { get; }

    public IServiceProvider Services { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    public GrainCollectionOptions CollectionOptions { get; }

    public ClusterMembershipOptions MembershipOptions { get; }

    public GrainReferenceFactory ReferenceFactory { get; }

    public IGrainFactory GrainFactory => ReferenceFactory;

    /// <summary>The active silos as this silo sees them, sorted.</summary>
    public SiloAddress[] ActiveSilos => _membership?.ActiveSilos ?? [Address];

    /// <summary>Number of activations on this silo (stateless workers included).</summary>
    public int ActivationCount
    {
        get
        {
            int count = _activations.Count;
            foreach (StatelessWorkerGroup group in _workers.Values)
            {
                count += group.Count;
            }

            return count;
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _transport.StartAsync(Address, this, cancellationToken).ConfigureAwait(false);
        _membership = new MembershipService(_membershipTable, _transport, MembershipOptions, TimeProvider, Logger, Address);
        _membership.Changed += OnMembershipChanged;
        await _membership.StartAsync(cancellationToken).ConfigureAwait(false);
        _collector = TimeProvider.CreateTimer(static s => ((SiloRuntime)s!).CollectIdle(), this, CollectionOptions.CollectionQuantum, CollectionOptions.CollectionQuantum);
        Volatile.Write(ref _state, 1);
        Logger.LogInformation("Silo {Silo} started", Address);
    }

    /// <summary>Graceful stop: deactivates every activation (OnDeactivateAsync runs), leaves the membership, stops listening.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            return;
        }

        _collector?.Dispose();
        if (_membership is not null)
        {
            await _membership.StopAsync(graceful: true).ConfigureAwait(false);
        }

        List<Task> deactivations = [];
        foreach (ActivationData activation in AllActivations())
        {
            deactivations.Add(activation.DeactivateForShutdownAsync());
        }

        await Task.WhenAll(deactivations).ConfigureAwait(false);
        await _transport.StopAsync().ConfigureAwait(false);
        Volatile.Write(ref _state, 3);
        Logger.LogInformation("Silo {Silo} stopped", Address);
    }

    /// <summary>Abrupt stop, as a crashed process: nothing is deactivated or written; other silos find out by probing.</summary>
    public async Task KillAsync()
    {
        Volatile.Write(ref _state, 3);
        _collector?.Dispose();
        if (_membership is not null)
        {
            await _membership.StopAsync(graceful: false).ConfigureAwait(false);
        }

        // The listener still closes its connections with a graceful GOAWAY: a request the silo never
        // took is then provably unprocessed at the sender (see Http2SiloTransport.ProvesNotProcessed)
        // and is placed again, while an abort would make every request on a pooled connection look
        // as if it may have run. Nothing runs here any more either way: _state already refuses them.
        await _transport.StopAsync().ConfigureAwait(false);
        foreach (ActivationData activation in AllActivations())
        {
            activation.Kill();
        }

        _activations.Clear();
        _workers.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_membership is not null)
        {
            await _membership.DisposeAsync().ConfigureAwait(false);
        }
    }

    public IGrainStorage GetStorage(string name)
        => Services.GetKeyedService<IGrainStorage>(name)
            ?? throw new InvalidOperationException($"No grain storage named '{name}' is registered in this silo (AddFileGrainStorage, AddPostgreSqlGrainStorage or AddMemoryGrainStorage).");

    /// <summary>Calls made by grain code (and the silo's own client) enter here.</summary>
    public Task<byte[]?> InvokeAsync(GrainProxy target, GrainMethodDescriptor method, byte[] arguments)
    {
        RequestMessage request = CreateRequest(target, method, arguments, Address);
        return CallAsync(request, method, target, _responseTimeout, TimeProvider, RouteAsync);
    }

    internal static RequestMessage CreateRequest(GrainProxy target, GrainMethodDescriptor method, byte[] arguments, SiloAddress? origin) => new()
    {
        InterfaceName = target.InterfaceType.FullName!,
        GrainKey = target.Key,
        MethodKey = method.Key,
        Arguments = arguments,
        OneWay = method.OneWay,
        ReadOnly = method.ReadOnly,
        AlwaysInterleave = method.AlwaysInterleave,
        Origin = origin,
    };

    /// <summary>Sends a request through <paramref name="send"/> and applies the response timeout and exception rethrow.</summary>
    internal static Task<byte[]?> CallAsync(RequestMessage request, GrainMethodDescriptor method, GrainProxy target, TimeSpan timeout, TimeProvider time, Func<RequestMessage, Task<ResponseMessage>> send)
    {
        Task<ResponseMessage> response = send(request);
        if (method.OneWay)
        {
            // The caller does not wait; failures still must not go unobserved.
            _ = response.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return Task.FromResult<byte[]?>(null);
        }

        return AwaitResponseAsync(response, method, target, timeout, time);
    }

    private static async Task<byte[]?> AwaitResponseAsync(Task<ResponseMessage> pending, GrainMethodDescriptor method, GrainProxy target, TimeSpan timeout, TimeProvider time)
    {
        ResponseMessage response;
        try
        {
            response = await pending.WaitAsync(timeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Call {method.DisplayName} to grain {target.InterfaceType.Name}/{target.Key} did not complete within the response timeout of {timeout}.", e);
        }

        if (response.Status != ResponseStatus.Ok)
        {
            throw response.ToException();
        }

        return response.Result;
    }

    /// <summary>Requests arriving from the transport (other silos or clients through the gateway).</summary>
    public async Task<ResponseMessage> HandleAsync(RequestMessage request, bool fromClient)
    {
        if (Volatile.Read(ref _state) >= 2 && request.Kind != MessageKind.Ping)
        {
            return ResponseMessage.FromException(new SiloUnavailableException($"Silo {Address} is stopping."));
        }

        if (!fromClient && request.TargetSilo is not null && request.TargetSilo != Address)
        {
            return ResponseMessage.FromException(new SiloUnavailableException($"Request meant for silo {request.TargetSilo} reached silo {Address}, a different incarnation."));
        }

        switch (request.Kind)
        {
            case MessageKind.Ping:
                // The answer names this incarnation, so a prober can tell a restarted silo from the one it knew.
                return new ResponseMessage { Status = ResponseStatus.Ok, Result = System.Text.Encoding.UTF8.GetBytes(Address.ToString()) };
            case MessageKind.MembershipChanged:
                if (_membership is not null)
                {
                    await _membership.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
                }

                return ResponseMessage.Empty;
            case MessageKind.DirectoryUnregister:
                Unregister(new GrainId(request.InterfaceName, request.GrainKey), request.Origin!);
                return ResponseMessage.Empty;
        }

        if (fromClient)
        {
            // The gateway is the client's "local" silo for prefer-local placement and stateless workers.
            request.Origin = Address;
            request.TargetSilo = null;
        }

        return await RouteAsync(request).ConfigureAwait(false);
    }

    /// <summary>Delivers a request to the grain's activation: here, via the directory owner, or on the silo the directory names.</summary>
    private Task<ResponseMessage> RouteAsync(RequestMessage request)
    {
        try
        {
            if (!GrainClassRegistry.Instance.TryGetInterface(request.InterfaceName, out Type interfaceType))
            {
                throw new InvalidOperationException($"Grain interface '{request.InterfaceName}' is unknown on silo {Address}.");
            }

            GrainClassMetadata grainClass = GrainClassRegistry.Instance.ForInterface(interfaceType);
            GrainId grainId = new(grainClass.GrainType, request.GrainKey);
            if (grainClass.IsStatelessWorker)
            {
                StatelessWorkerGroup group = _workers.GetOrAdd(grainId, static (id, state) => new StatelessWorkerGroup(state.Item1, state.Item2, id), (this, grainClass));
                return EnqueueAsync(group.Pick(), request);
            }

            if (_activations.TryGetValue(grainId, out ActivationData? activation))
            {
                return EnqueueAsync(activation, request);
            }

            if (request.Placed)
            {
                return EnqueueAsync(GetOrCreateActivation(grainClass, grainId), request);
            }

            SiloAddress owner = DirectoryOwner(grainId);
            if (owner != Address)
            {
                return ForwardAsync(owner, request, placed: false);
            }

            return RouteAsOwnerAsync(request, grainClass, grainId, interfaceType);
        }
        catch (Exception e)
        {
            return Task.FromResult(ResponseMessage.FromException(e));
        }
    }

    private async Task<ResponseMessage> RouteAsOwnerAsync(RequestMessage request, GrainClassMetadata grainClass, GrainId grainId, Type interfaceType)
    {
        if (!_directory.TryGetValue(grainId, out SiloAddress? host))
        {
            SiloAddress[] silos = ActiveSilos;
            PlacementContext context = new(request.Origin is { } origin && Array.IndexOf(silos, origin) >= 0 ? origin : Address, silos);
            if (!_directors.TryGetValue(grainClass.Placement.GetType(), out IPlacementDirector? director))
            {
                throw new InvalidOperationException($"No placement director is registered for strategy '{grainClass.Placement.GetType().Name}' of grain class {grainClass.ClassType.Name} (AddPlacementDirector).");
            }

            SiloAddress chosen = await director.OnAddActivation(grainClass.Placement, new PlacementTarget(grainId, interfaceType), context).ConfigureAwait(false);
            if (Array.IndexOf(silos, chosen) < 0)
            {
                throw new InvalidOperationException($"Placement director {director.GetType().Name} chose silo {chosen}, which is not an active silo.");
            }

            host = _directory.GetOrAdd(grainId, chosen);
        }

        if (host == Address)
        {
            return await EnqueueAsync(GetOrCreateActivation(grainClass, grainId), request).ConfigureAwait(false);
        }

        return await ForwardAsync(host, request, placed: true).ConfigureAwait(false);
    }

    private async Task<ResponseMessage> ForwardAsync(SiloAddress target, RequestMessage request, bool placed)
    {
        if (request.HopCount >= MaxHops)
        {
            return ResponseMessage.FromException(new InvalidOperationException($"Request {request.MethodKey} for {request.InterfaceName}/{request.GrainKey} was forwarded {request.HopCount} times without reaching its grain (membership is changing)."));
        }

        try
        {
            ResponseMessage response = await _transport.SendAsync(target, request.CloneForForward(target, placed), CancellationToken.None).ConfigureAwait(false);
            if (response.Status != ResponseStatus.SiloUnavailable)
            {
                return response;
            }
        }
        catch (SiloUnavailableException e) when (!e.RequestMayHaveRun)
        {
        }
        catch (SiloUnavailableException e)
        {
            // The target may have run it: routing it again could run it twice. Still check the target's health.
            if (_membership is not null)
            {
                _ = _membership.SuspectAsync(target);
            }

            return ResponseMessage.FromException(e);
        }

        // The target is gone or is another incarnation: confirm by probing, then route again on the new view.
        if (_membership is not null && Array.IndexOf(ActiveSilos, target) >= 0)
        {
            await _membership.SuspectAsync(target).ConfigureAwait(false);
        }

        if (Array.IndexOf(ActiveSilos, target) >= 0)
        {
            return ResponseMessage.FromException(new SiloUnavailableException($"Silo {target} did not accept a request but still answers probes."));
        }

        request.HopCount++;
        request.Placed = false;
        return await RouteAsync(request).ConfigureAwait(false);
    }

    private static Task<ResponseMessage> EnqueueAsync(ActivationData activation, RequestMessage request)
    {
        RequestWorkItem item = new(request);
        if (!activation.Enqueue(item))
        {
            item.Abandon(activation.Silo);
        }

        return item.Response;
    }

    /// <summary>A request whose activation went away before running it is routed again (usually to a new activation).</summary>
    public void Reroute(RequestWorkItem item)
    {
        item.Request.Placed = false;
        item.Request.HopCount++;
        if (item.Request.HopCount > MaxHops)
        {
            item.Complete(ResponseMessage.FromException(new InvalidOperationException($"Request {item.Request.MethodKey} for {item.Request.InterfaceName}/{item.Request.GrainKey} could not find a stable activation.")));
            return;
        }

        item.CompleteFrom(RouteAsync(item.Request));
    }

    private ActivationData GetOrCreateActivation(GrainClassMetadata grainClass, GrainId grainId)
    {
        if (_activations.TryGetValue(grainId, out ActivationData? existing))
        {
            return existing;
        }

        lock (_catalogLock)
        {
            if (_activations.TryGetValue(grainId, out existing))
            {
                return existing;
            }

            ActivationData activation = new(this, grainClass, grainId);
            _activations[grainId] = activation;
            // Record locally owned placements made by other means (e.g. the entry was lost with a dead owner).
            if (DirectoryOwner(grainId) == Address)
            {
                _directory[grainId] = Address;
            }

            activation.Start();
            return activation;
        }
    }

    internal ActivationData CreateWorkerActivation(GrainClassMetadata grainClass, GrainId grainId)
    {
        ActivationData activation = new(this, grainClass, grainId);
        activation.Start();
        return activation;
    }

    /// <summary>An activation finished deactivating (or failed to activate): forget it here and in the directory.</summary>
    public void OnActivationGone(ActivationData activation)
    {
        if (activation.GrainClass.IsStatelessWorker)
        {
            if (_workers.TryGetValue(activation.GrainId, out StatelessWorkerGroup? group))
            {
                group.Remove(activation);
            }

            return;
        }

        _activations.TryRemove(KeyValuePair.Create(activation.GrainId, activation));
        SiloAddress owner = DirectoryOwner(activation.GrainId);
        if (owner == Address)
        {
            Unregister(activation.GrainId, Address);
        }
        else if (Volatile.Read(ref _state) == 1 || Volatile.Read(ref _state) == 2)
        {
            RequestMessage unregister = new()
            {
                Kind = MessageKind.DirectoryUnregister,
                InterfaceName = activation.GrainId.Type,
                GrainKey = activation.GrainId.Key,
                MethodKey = string.Empty,
                Arguments = [],
                Origin = Address,
                TargetSilo = owner,
            };
            _ = _transport.SendAsync(owner, unregister, CancellationToken.None).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    private void Unregister(GrainId grainId, SiloAddress host) => _directory.TryRemove(KeyValuePair.Create(grainId, host));

    /// <summary>Rendezvous hashing: the active silo with the highest mixed hash owns the grain's directory entry.</summary>
    internal SiloAddress DirectoryOwner(GrainId grainId)
    {
        SiloAddress[] silos = ActiveSilos;
        if (silos.Length == 1)
        {
            return silos[0];
        }

        uint grainHash = grainId.GetUniformHashCode();
        SiloAddress best = silos[0];
        uint bestScore = 0;
        foreach (SiloAddress silo in silos)
        {
            uint score = Mix(grainHash, silo.UniformHash);
            if (score >= bestScore)
            {
                bestScore = score;
                best = silo;
            }
        }

        return best;
    }

    private static uint Mix(uint a, uint b)
    {
        ulong h = ((ulong)a << 32 | b) * 0x9E3779B97F4A7C15UL;
        return (uint)(h >> 32) ^ (uint)h;
    }

    private void OnMembershipChanged(SiloAddress[] active)
    {
        foreach (KeyValuePair<GrainId, SiloAddress> entry in _directory)
        {
            if (Array.IndexOf(active, entry.Value) < 0)
            {
                _directory.TryRemove(entry);
            }
        }
    }

    private void CollectIdle()
    {
        DateTimeOffset now = TimeProvider.GetUtcNow();
        foreach (ActivationData activation in AllActivations())
        {
            if (activation.IsIdleFor(now))
            {
                activation.Deactivate(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "The activation was idle longer than its collection age."));
            }
        }
    }

    private List<ActivationData> AllActivations()
    {
        List<ActivationData> all = [.. _activations.Values];
        foreach (StatelessWorkerGroup group in _workers.Values)
        {
            all.AddRange(group.Snapshot());
        }

        return all;
    }

    private sealed class PlacementContext(SiloAddress local, SiloAddress[] silos) : IPlacementContext
    {
        public SiloAddress LocalSilo => local;

        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => silos;
    }
}
