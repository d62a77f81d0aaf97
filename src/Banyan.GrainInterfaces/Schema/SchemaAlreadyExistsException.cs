namespace Banyan.GrainInterfaces.Schema;

/// <summary>The schema named by <see cref="Key"/> already exists. gRPC: <c>ALREADY_EXISTS</c>.</summary>
[GenerateSerializer]
[Alias("banyan.SchemaAlreadyExistsException")]
public sealed class SchemaAlreadyExistsException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    public SchemaAlreadyExistsException(SchemaKey key)
        : base($"{Capitalize(key.ToString())} already exists.")
    {
        Key = key;
    }

    /// <summary>Creates the exception with a message only (serialization and tooling).</summary>
    public SchemaAlreadyExistsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SchemaAlreadyExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception (serialization).</summary>
    public SchemaAlreadyExistsException()
    {
    }

    /// <summary>The schema concerned.</summary>
    [Id(0)]
    public SchemaKey Key { get; private set; }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
