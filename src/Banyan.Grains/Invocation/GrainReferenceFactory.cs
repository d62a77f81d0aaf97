using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;

namespace Banyan.Grains.Invocation;

/// <summary>The <see cref="IGrainFactory"/> of a silo or a client: creates proxies bound to its call invoker.</summary>
internal sealed class GrainReferenceFactory(IGrainCallInvoker invoker) : IGrainFactory
{
    private static readonly ConcurrentDictionary<Type, Func<object>> s_creators = new();

    public IGrainCallInvoker Invoker { get; } = invoker;

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        return (TGrainInterface)GetGrain(typeof(TGrainInterface), primaryKey);
    }

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
        where TGrainInterface : IGrainWithIntegerKey
        => (TGrainInterface)GetGrain(typeof(TGrainInterface), primaryKey.ToString(CultureInfo.InvariantCulture));

    public object GetGrain(Type interfaceType, string key)
    {
        GrainInterfaceMetadata metadata = GrainInterfaceMetadata.For(interfaceType);
        Func<object> create = s_creators.GetOrAdd(interfaceType, static type =>
        {
            MethodInfo method = typeof(DispatchProxy).GetMethod(nameof(DispatchProxy.Create), 2, [])!.MakeGenericMethod(type, typeof(GrainProxy));
            return method.CreateDelegate<Func<object>>();
        });
        GrainProxy proxy = (GrainProxy)create();
        proxy.Initialize(this, metadata, key);
        return proxy;
    }
}
