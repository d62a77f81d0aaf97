using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Banyan.GrainInterfaces;

/// <summary>
/// Grain references by key, made once per grain factory and reused. Orleans' <c>GetGrain&lt;T&gt;(string)</c> resolves
/// the interface's grain interface type from its attributes by reflection on every call (a profile of the write path
/// found it at 2 % of the silo's CPU: every batch asks for its measure grain and its shard grains, every query for its
/// group and shard grains). A reference is immutable and any caller of the same runtime can use it.
/// </summary>
public static class GrainReferences
{
    /// <summary>Most references kept per interface and factory; past it the cache starts over (segments roll on).</summary>
    public const int MaxPerFactory = 16_384;

    /// <summary>The reference of the grain of <typeparamref name="T"/> keyed <paramref name="key"/>, made once.</summary>
    public static T GetGrainCached<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(key);
        ConcurrentDictionary<string, T> references = Cache<T>.ByFactory.GetValue(grains, static _ => new ConcurrentDictionary<string, T>(StringComparer.Ordinal));
        if (references.TryGetValue(key, out T? reference))
        {
            return reference;
        }

        if (references.Count >= MaxPerFactory)
        {
            references.Clear();
        }

        return references.GetOrAdd(key, grains.GetGrain<T>(key));
    }

    // Per interface; weakly keyed by the factory, so a stopped silo's or client's references go with it.
    private static class Cache<T>
    {
        public static readonly ConditionalWeakTable<IGrainFactory, ConcurrentDictionary<string, T>> ByFactory = [];
    }
}
