namespace Banyan.Cli;

/// <summary>The tool's exit codes (docs/cli.md, "Exit codes"), so that scripts can tell the failures apart.</summary>
public static class ExitCodes
{
    /// <summary>Everything the command asked for was done.</summary>
    public const int Success = 0;

    /// <summary>The server refused or failed the request (its message is printed), or some written elements failed.</summary>
    public const int ServerError = 1;

    /// <summary>The command line or an input file is wrong (the message names the option, or the file and line).</summary>
    public const int BadInput = 2;

    /// <summary>The server could not be reached at all.</summary>
    public const int Unreachable = 3;

    /// <summary>Something the tool did not expect (a bug): sysexits' EX_SOFTWARE.</summary>
    public const int Bug = 70;
}
