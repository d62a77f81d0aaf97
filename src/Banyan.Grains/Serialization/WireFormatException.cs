namespace Banyan.Grains;

/// <summary>Bytes received by the grain runtime could not be decoded (truncated or malformed message); names the offset.</summary>
public sealed class WireFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WireFormatException(string message)
        : base("Malformed grain message: " + message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public WireFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public WireFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
