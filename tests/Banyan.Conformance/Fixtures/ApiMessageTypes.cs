using System.Reflection;
using Google.Protobuf.Reflection;

namespace Banyan.Conformance.Fixtures;

/// <summary>The compiled API of Banyan.Api: its .proto files and message types, looked up by protobuf full name.</summary>
public static class ApiMessageTypes
{
    private static readonly Lazy<IReadOnlyList<FileDescriptor>> s_files = new(() => LoadFiles());

    private static readonly Lazy<TypeRegistry> s_registry = new(() => TypeRegistry.FromFiles([.. Files]));

    /// <summary>
    /// Every .proto file compiled into Banyan.Api, found through the generated <c>*Reflection</c> classes so that a
    /// new file is covered without being listed anywhere.
    /// </summary>
    public static IReadOnlyList<FileDescriptor> Files => s_files.Value;

    /// <summary>Returns the descriptor of <paramref name="fullName"/>; throws when Banyan.Api lacks it.</summary>
    public static MessageDescriptor Find(string fullName) =>
        s_registry.Value.Find(fullName) ?? throw new InvalidOperationException($"Banyan.Api has no message type '{fullName}'.");

    private static List<FileDescriptor> LoadFiles()
    {
        List<FileDescriptor> files = [];
        foreach (Type type in typeof(Banyan.Api.Common.V1.Metadata).Assembly.GetExportedTypes())
        {
            PropertyInfo? descriptor = type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static);
            if (type.IsAbstract && type.IsSealed && descriptor?.PropertyType == typeof(FileDescriptor))
            {
                files.Add((FileDescriptor)descriptor.GetValue(null)!);
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return files;
    }
}
