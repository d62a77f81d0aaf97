namespace Banyan.Cli;

/// <summary>An input file that cannot be used: the message starts with <c>file:line:</c> so that an editor can jump there.</summary>
public sealed class InputFileException : CliException
{
    /// <summary>A bad <paramref name="file"/> at <paramref name="line"/> (1-based; 0 when the whole file is meant).</summary>
    public InputFileException(string file, long line, string reason)
        : base(Format(file, line, reason), ExitCodes.BadInput)
    {
        File = file;
        Line = line;
    }

    /// <summary>The file as the user named it (<c>-</c> is standard input, shown as <c>&lt;stdin&gt;</c>).</summary>
    public string File { get; }

    /// <summary>The 1-based line, or 0 for the whole file.</summary>
    public long Line { get; }

    /// <summary>The text of an error in <paramref name="file"/> at <paramref name="line"/>.</summary>
    public static string Format(string file, long line, string reason) =>
        line > 0 ? $"{file}:{line}: {reason}" : $"{file}: {reason}";
}
