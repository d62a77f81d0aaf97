namespace Banyan.Cli;

/// <summary>
/// A failure the user can act on: printed as one line (<c>error: …</c>) without a stack trace, and the process exits
/// with <see cref="ExitCode"/>. Anything else that escapes a command is a bug and is reported as one.
/// </summary>
public class CliException : Exception
{
    /// <summary>A failure with its message and exit code.</summary>
    public CliException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>A failure with its message, exit code and the exception behind it.</summary>
    public CliException(string message, int exitCode, Exception inner)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code (<see cref="ExitCodes"/>).</summary>
    public int ExitCode { get; }

    /// <summary>Bad input on the command line (not a file): exit code <see cref="ExitCodes.BadInput"/>.</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.BadInput);
}
