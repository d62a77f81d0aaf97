namespace Banyan.Grains;

/// <summary>The target silo cannot be reached (it is dead, stopping, or the connection failed).</summary>
public sealed class SiloUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SiloUnavailableException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public SiloUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SiloUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal SiloUnavailableException(string message, Exception innerException, bool requestMayHaveRun)
        : base(message, innerException)
    {
        RequestMayHaveRun = requestMayHaveRun;
    }

    /// <summary>
    /// True when the connection failed after the request was sent, so the silo may have run it:
    /// such a call is not retried automatically, since it could run twice.
    /// </summary>
    public bool RequestMayHaveRun { get; }
}

/// <summary>
/// A grain threw an exception whose type cannot be recreated on the caller's side. Carries the
/// remote type name, message and stack trace.
/// </summary>
public sealed class RemoteGrainException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteGrainException()
    {
        RemoteExceptionType = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public RemoteGrainException(string message)
        : base(message)
    {
        RemoteExceptionType = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public RemoteGrainException(string message, Exception innerException)
        : base(message, innerException)
    {
        RemoteExceptionType = string.Empty;
    }

    /// <summary>Creates the exception for a remote exception type and message.</summary>
    public RemoteGrainException(string remoteExceptionType, string message, string? remoteStackTrace)
        : base($"{remoteExceptionType}: {message}")
    {
        RemoteExceptionType = remoteExceptionType;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Full name of the exception type the grain threw.</summary>
    public string RemoteExceptionType { get; }

    /// <summary>Stack trace on the silo that ran the grain, when known.</summary>
    public string? RemoteStackTrace { get; }
}
