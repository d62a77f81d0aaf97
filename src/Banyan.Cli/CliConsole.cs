namespace Banyan.Cli;

/// <summary>
/// Where the tool reads and writes: the process's standard streams, or writers a test captures. Whether each output
/// is a terminal decides between tables and a live progress bar (terminal) and plain, script-friendly lines.
/// </summary>
/// <param name="Out">Results (tables, JSON, YAML, summaries).</param>
/// <param name="Error">Errors and progress, so that results stay clean for a pipe.</param>
/// <param name="Input">What <c>-f -</c> reads.</param>
/// <param name="OutIsTerminal">Whether <paramref name="Out"/> is a terminal.</param>
/// <param name="ErrorIsTerminal">Whether <paramref name="Error"/> is a terminal (the progress bar is drawn only then).</param>
public sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader Input, bool OutIsTerminal, bool ErrorIsTerminal)
{
    /// <summary>Width of tables when the output is not a terminal (no width to measure): wide, so rows stay whole.</summary>
    public const int PlainWidth = 240;

    /// <summary>The process's own standard streams.</summary>
    public static CliConsole System() => new(
        Console.Out,
        Console.Error,
        Console.In,
        !Console.IsOutputRedirected,
        !Console.IsErrorRedirected);
}
