namespace Banyan.Grains.Runtime;

/// <summary>The local activations of one stateless-worker grain id: an idle one is reused, a new one is added while under the limit, otherwise the least busy one takes the request.</summary>
internal sealed class StatelessWorkerGroup(SiloRuntime silo, GrainClassMetadata grainClass, GrainId grainId)
{
    private readonly Lock _lock = new();
    private readonly List<ActivationData> _activations = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _activations.Count;
            }
        }
    }

    public ActivationData Pick()
    {
        lock (_lock)
        {
            ActivationData? best = null;
            int bestLoad = int.MaxValue;
            foreach (ActivationData activation in _activations)
            {
                int load = activation.Load;
                if (load < bestLoad)
                {
                    best = activation;
                    bestLoad = load;
                }
            }

            if (best is not null && (bestLoad == 0 || _activations.Count >= grainClass.MaxLocalWorkers))
            {
                return best;
            }

            ActivationData created = silo.CreateWorkerActivation(grainClass, grainId);
            _activations.Add(created);
            return created;
        }
    }

    public void Remove(ActivationData activation)
    {
        lock (_lock)
        {
            _activations.Remove(activation);
        }
    }

    public ActivationData[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _activations];
        }
    }
}
