using System.Reflection;
using Banyan.Grains.Invocation;

namespace Banyan.Grains;

/// <summary>
/// The generated grain reference: a <see cref="DispatchProxy"/> that encodes every call and
/// hands it to the runtime. Public only because DispatchProxy requires it; not part of the API.
/// </summary>
public class GrainProxy : DispatchProxy, IAddressable
{
    private GrainReferenceFactory? _factory;
    private GrainInterfaceMetadata? _metadata;
    private string _key = string.Empty;

    /// <summary>The grain key in its string form.</summary>
    public string Key => _key;

    internal Type InterfaceType => _metadata!.InterfaceType;

    internal GrainReferenceFactory Factory => _factory!;

    internal void Initialize(GrainReferenceFactory factory, GrainInterfaceMetadata metadata, string key)
    {
        _factory = factory;
        _metadata = metadata;
        _key = key;
    }

    /// <inheritdoc/>
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.DeclaringType == typeof(object))
        {
            return targetMethod.Invoke(this, args);
        }

        GrainMethodDescriptor method = _metadata!.GetMethod(targetMethod);
        byte[] arguments = method.SerializeArguments(args);
        Task<byte[]?> pending = _factory!.Invoker.InvokeAsync(this, method, arguments);
        return method.ConvertResult(pending, _factory);
    }

    /// <inheritdoc/>
    public override string ToString() => $"GrainReference:{_metadata?.InterfaceType.Name}/{_key}";

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GrainProxy other && other._metadata == _metadata && other._key == _key;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_metadata, _key);
}
