namespace Banyan.GrainInterfaces.Queries;

/// <summary>
/// A query would read more rows than the silo allows for one query (<c>Silo:Query:MaxRowsPerShard</c>). Not retryable
/// as it is: narrow the time range, add criteria, or raise the limit. Answered as gRPC <c>RESOURCE_EXHAUSTED</c>.
/// </summary>
[GenerateSerializer]
[Alias("banyan.QueryLimitException")]
public sealed class QueryLimitException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public QueryLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public QueryLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception (serialization).</summary>
    public QueryLimitException()
    {
    }
}
