using Google.Protobuf.Reflection;

namespace Banyan.Api.Tests;

/// <summary>All message types of Banyan.Api, looked up by protobuf full name (e.g. "banyandb.stream.v1.QueryRequest").</summary>
internal static class ApiTypes
{
    // The service files import every other file, so their dependency closure is the whole API.
    private static readonly TypeRegistry s_registry = TypeRegistry.FromFiles(
        Banyan.Api.Common.V1.RpcReflection.Descriptor,
        Banyan.Api.Database.V1.RpcReflection.Descriptor,
        Banyan.Api.Stream.V1.RpcReflection.Descriptor,
        Banyan.Api.Measure.V1.RpcReflection.Descriptor,
        Banyan.Api.Trace.V1.RpcReflection.Descriptor,
        Banyan.Api.Property.V1.RpcReflection.Descriptor);

    /// <summary>Returns the descriptor of <paramref name="fullName"/>; throws when Banyan.Api lacks it.</summary>
    public static MessageDescriptor Find(string fullName) =>
        s_registry.Find(fullName) ?? throw new InvalidOperationException($"Banyan.Api has no message type '{fullName}'.");
}
