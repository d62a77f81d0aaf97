namespace Banyan.Cli;

/// <summary>The server answered an error: its gRPC status name and its message, printed as they came.</summary>
public sealed class ServerException : CliException
{
    /// <summary>The server's answer <paramref name="code"/> (e.g. <c>NOT_FOUND</c>) with its <paramref name="serverMessage"/>.</summary>
    public ServerException(string code, string serverMessage)
        : base($"{code}: {serverMessage}", ExitCodes.ServerError)
    {
        Code = code;
        ServerMessage = serverMessage;
    }

    /// <summary>The gRPC status name, e.g. <c>ALREADY_EXISTS</c>.</summary>
    public string Code { get; }

    /// <summary>The server's message.</summary>
    public string ServerMessage { get; }
}
