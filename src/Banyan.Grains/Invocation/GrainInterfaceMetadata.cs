using System.Collections.Concurrent;
using System.Reflection;

namespace Banyan.Grains.Invocation;

/// <summary>The methods of one grain interface (including inherited grain interfaces), validated once per process.</summary>
internal sealed class GrainInterfaceMetadata
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceMetadata> s_cache = new();

    private readonly Dictionary<MethodInfo, GrainMethodDescriptor> _byMethod = [];
    private readonly Dictionary<string, GrainMethodDescriptor> _byKey = new(StringComparer.Ordinal);

    private GrainInterfaceMetadata(Type interfaceType)
    {
        InterfaceType = interfaceType;
        foreach (Type type in interfaceType.GetInterfaces().Append(interfaceType))
        {
            if (type == typeof(IGrain) || type == typeof(IAddressable) || type == typeof(IGrainWithStringKey) || type == typeof(IGrainWithIntegerKey))
            {
                continue;
            }

            foreach (MethodInfo method in type.GetMethods())
            {
                GrainMethodDescriptor descriptor = new(interfaceType, method);
                _byMethod[method] = descriptor;
                _byKey[descriptor.Key] = descriptor;
            }
        }
    }

    public Type InterfaceType { get; }

    public IEnumerable<GrainMethodDescriptor> Methods => _byMethod.Values;

    /// <summary>Validates <paramref name="interfaceType"/> (throws <see cref="NotSupportedException"/> naming the bad method) and caches the result.</summary>
    public static GrainInterfaceMetadata For(Type interfaceType)
    {
        if (s_cache.TryGetValue(interfaceType, out GrainInterfaceMetadata? metadata))
        {
            return metadata;
        }

        if (!interfaceType.IsInterface || !typeof(IGrain).IsAssignableFrom(interfaceType))
        {
            throw new ArgumentException($"'{interfaceType.FullName}' is not a grain interface (an interface deriving from IGrainWithStringKey or IGrainWithIntegerKey).", nameof(interfaceType));
        }

        return s_cache.GetOrAdd(interfaceType, new GrainInterfaceMetadata(interfaceType));
    }

    public GrainMethodDescriptor GetMethod(MethodInfo method) => _byMethod[method];

    public bool TryGetMethod(string key, out GrainMethodDescriptor descriptor) => _byKey.TryGetValue(key, out descriptor!);
}
