namespace Banyan.GrainInterfaces.Schema;

/// <summary>The schema named by <see cref="Key"/> does not exist. gRPC: <c>NOT_FOUND</c>.</summary>
[GenerateSerializer]
[Alias("banyan.SchemaNotFoundException")]
public sealed class SchemaNotFoundException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    public SchemaNotFoundException(SchemaKey key)
        : base($"{Capitalize(key.ToString())} does not exist.")
    {
        Key = key;
    }

    /// <summary>Creates the exception with a message only (serialization and tooling).</summary>
    public SchemaNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SchemaNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception (serialization).</summary>
    public SchemaNotFoundException()
    {
    }

    /// <summary>The schema concerned.</summary>
    [Id(0)]
    public SchemaKey Key { get; private set; }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
