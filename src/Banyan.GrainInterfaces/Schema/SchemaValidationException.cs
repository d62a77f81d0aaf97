namespace Banyan.GrainInterfaces.Schema;

/// <summary>
/// A schema request is invalid: <see cref="Field"/> (a path in the request, e.g.
/// <c>stream.entity.tag_names[1]</c>) and <see cref="Reason"/> say what and why. gRPC: <c>INVALID_ARGUMENT</c>.
/// Nothing was changed.
/// </summary>
[GenerateSerializer]
[Alias("banyan.SchemaValidationException")]
public sealed class SchemaValidationException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public SchemaValidationException(string field, string reason)
        : base($"{field}: {reason}")
    {
        Field = field;
        Reason = reason;
    }

    /// <summary>Creates the exception with a message only (serialization and tooling).</summary>
    public SchemaValidationException(string message)
        : base(message)
    {
        Field = string.Empty;
        Reason = message;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SchemaValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
        Reason = message;
    }

    /// <summary>Creates an empty exception (serialization).</summary>
    public SchemaValidationException()
    {
        Field = string.Empty;
        Reason = string.Empty;
    }

    /// <summary>The path of the offending field in the request, in protobuf field names with indexes.</summary>
    [Id(0)]
    public string Field { get; private set; }

    /// <summary>Why the value is refused.</summary>
    [Id(1)]
    public string Reason { get; private set; }
}
