using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Banyan.Cli.Output;

/// <summary>
/// Prints results in the format chosen with <c>-o</c>: tables (Spectre.Console, drawn to the terminal's width, or wide
/// and without colour when the output is a file or a pipe), or the server's answers as JSON or YAML.
/// </summary>
public sealed class ResultWriter
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly CliConsole _console;
    private int _documents;

    /// <summary>A writer of results to <paramref name="console"/>'s output in <paramref name="format"/>.</summary>
    public ResultWriter(CliConsole console, OutputFormat format)
    {
        _console = console;
        Format = format;
        Ansi = CreateAnsiConsole(console.Out, console.OutIsTerminal);
    }

    /// <summary>The chosen format.</summary>
    public OutputFormat Format { get; }

    /// <summary>The Spectre console over the output, for tables.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>A Spectre console over <paramref name="writer"/>: colours and the measured width only on a terminal.</summary>
    public static IAnsiConsole CreateAnsiConsole(TextWriter writer, bool isTerminal)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!isTerminal)
        {
            console.Profile.Width = CliConsole.PlainWidth;
        }

        return console;
    }

    /// <summary>Prints one answer as JSON or YAML (documents after the first are separated as the format needs).</summary>
    public void WriteDocument(JsonNode? node)
    {
        if (Format == OutputFormat.Yaml)
        {
            if (_documents > 0)
            {
                _console.Out.WriteLine("---");
            }

            JsonToYaml.Write(node, _console.Out);
        }
        else
        {
            _console.Out.WriteLine(node is null ? "null" : node.ToJsonString(s_indented));
        }

        _documents++;
    }

    /// <summary>Prints one answer as JSON or YAML from its JSON text.</summary>
    public void WriteDocument(string json) => WriteDocument(JsonNode.Parse(json));

    /// <summary>Prints an answer as YAML whatever the format (details under a sentence in table mode).</summary>
    public void WriteYaml(string json) => JsonToYaml.Write(JsonNode.Parse(json), _console.Out);

    /// <summary>Prints a table whose cells are plain text (never markup).</summary>
    public void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        Table table = new() { Border = TableBorder.Rounded };
        if (title is not null)
        {
            table.Title = new TableTitle(Markup.Escape(title));
        }

        foreach (string header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
        }

        foreach (IReadOnlyList<string> row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell)));
        }

        Ansi.Write(table);
    }

    /// <summary>Prints a sentence (tables mode), e.g. <c>measure sw_metric.cpm is created</c>.</summary>
    public void WriteLine(string text) => _console.Out.WriteLine(text);
}
