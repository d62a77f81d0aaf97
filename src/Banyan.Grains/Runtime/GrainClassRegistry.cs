using System.Reflection;

namespace Banyan.Grains.Runtime;

/// <summary>
/// Maps grain interfaces to the grain classes that implement them, by scanning the assemblies
/// loaded in the process that reference this runtime (Orleans does this with generated metadata).
/// Rescans when an interface is not found, so assemblies loaded later are picked up.
/// </summary>
internal sealed class GrainClassRegistry
{
    public static readonly GrainClassRegistry Instance = new();

    private readonly Lock _lock = new();
    private readonly HashSet<Assembly> _scanned = [];
    private Dictionary<Type, List<GrainClassMetadata>> _byInterface = [];
    private Dictionary<string, Type> _interfacesByName = new(StringComparer.Ordinal);
    private Dictionary<string, GrainClassMetadata> _byGrainType = new(StringComparer.Ordinal);

    public GrainClassMetadata ForInterface(Type interfaceType)
    {
        if (TryGet(interfaceType, out GrainClassMetadata? metadata))
        {
            return metadata;
        }

        Scan();
        if (TryGet(interfaceType, out metadata))
        {
            return metadata;
        }

        throw new InvalidOperationException($"No grain class implements '{interfaceType.FullName}' in the assemblies loaded by this silo.");
    }

    public bool TryGetInterface(string name, out Type type)
    {
        if (_interfacesByName.TryGetValue(name, out type!))
        {
            return true;
        }

        Scan();
        return _interfacesByName.TryGetValue(name, out type!);
    }

    private bool TryGet(Type interfaceType, out GrainClassMetadata metadata)
    {
        if (_byInterface.TryGetValue(interfaceType, out List<GrainClassMetadata>? classes))
        {
            if (classes.Count > 1)
            {
                throw new InvalidOperationException($"Grain interface '{interfaceType.FullName}' is implemented by several grain classes ({string.Join(", ", classes.Select(c => c.ClassType.FullName))}); this runtime needs exactly one.");
            }

            metadata = classes[0];
            return true;
        }

        metadata = null!;
        return false;
    }

    private void Scan()
    {
        lock (_lock)
        {
            Assembly runtime = typeof(Grain).Assembly;
            Dictionary<Type, List<GrainClassMetadata>> byInterface = new(_byInterface.Select(p => KeyValuePair.Create(p.Key, new List<GrainClassMetadata>(p.Value))));
            Dictionary<string, Type> byName = new(_interfacesByName, StringComparer.Ordinal);
            Dictionary<string, GrainClassMetadata> byGrainType = new(_byGrainType, StringComparer.Ordinal);
            foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (assembly.IsDynamic || !_scanned.Add(assembly))
                {
                    continue;
                }

                if (assembly != runtime && !assembly.GetReferencedAssemblies().Any(a => a.Name == runtime.GetName().Name))
                {
                    continue;
                }

                foreach (Type type in SafeTypes(assembly))
                {
                    if (type.IsInterface && typeof(IGrain).IsAssignableFrom(type) && type.FullName is string name)
                    {
                        byName[name] = type;
                    }

                    if (!type.IsClass || type.IsAbstract || type.ContainsGenericParameters || !typeof(Grain).IsAssignableFrom(type))
                    {
                        continue;
                    }

                    GrainClassMetadata metadata = new(type);
                    if (byGrainType.TryGetValue(metadata.GrainType, out GrainClassMetadata? existing) && existing.ClassType != type)
                    {
                        throw new InvalidOperationException($"Grain classes '{existing.ClassType.FullName}' and '{type.FullName}' both have grain type '{metadata.GrainType}'; rename one or mark it [GrainType(\"...\")].");
                    }

                    byGrainType[metadata.GrainType] = metadata;
                    foreach (Type iface in type.GetInterfaces())
                    {
                        if (iface == typeof(IGrain) || iface == typeof(IGrainWithStringKey) || iface == typeof(IGrainWithIntegerKey) || !typeof(IGrain).IsAssignableFrom(iface))
                        {
                            continue;
                        }

                        if (!byInterface.TryGetValue(iface, out List<GrainClassMetadata>? list))
                        {
                            byInterface[iface] = list = [];
                        }

                        list.Add(metadata);
                    }
                }
            }

            _byInterface = byInterface;
            _interfacesByName = byName;
            _byGrainType = byGrainType;
        }
    }

    private static Type[] SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.Where(t => t is not null).ToArray()!;
        }
    }
}
