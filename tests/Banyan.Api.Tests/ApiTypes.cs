using Banyan.Conformance.Fixtures;
using Google.Protobuf.Reflection;

namespace Banyan.Api.Tests;

/// <summary>The compiled API of Banyan.Api (files shared with the conformance harness) and its shape.</summary>
internal static class ApiTypes
{
    /// <summary>Every .proto file compiled into Banyan.Api (see <see cref="ApiMessageTypes.Files"/>).</summary>
    public static IReadOnlyList<FileDescriptor> Files => ApiMessageTypes.Files;

    /// <summary>The shape of Banyan.Api restricted to <paramref name="packages"/>.</summary>
    public static ApiShape Shape(IEnumerable<string> packages) =>
        ApiShapeBuilder.Build(Files, packages.ToHashSet(StringComparer.Ordinal));
}
