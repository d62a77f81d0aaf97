using System.Text;
using System.Text.Json.Nodes;
using Banyan.Cli.Input;

namespace Banyan.Cli.Write;

/// <summary>
/// YAML rows: each document is one row (a <c>WriteRequest</c> or its value, as in JSON lines), and a document that is
/// a list gives one row per item, read one at a time. A YAML syntax error ends the file (the parser cannot resume
/// after it) with an error naming the line; a row that is valid YAML but not a valid message is a bad row.
/// </summary>
public sealed class YamlRowSource : IWriteRowSource
{
    private readonly CountingStream _input;
    private readonly StreamReader _text;
    private readonly YamlDocumentReader _reader;
    private readonly WriteMessages _messages;

    /// <summary>Rows from <paramref name="input"/>, named <paramref name="source"/> in errors.</summary>
    public YamlRowSource(Stream input, long? length, string source, WriteMessages messages)
    {
        _input = new CountingStream(input);
        _text = new StreamReader(_input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        _reader = new YamlDocumentReader(_text, source, splitSequences: true);
        _messages = messages;
        Length = length;
    }

    /// <inheritdoc/>
    public long Position => _input.BytesRead;

    /// <inheritdoc/>
    public long? Length { get; }

    /// <inheritdoc/>
    public WriteRow? Next()
    {
        if (_reader.Next() is not { } document)
        {
            return null;
        }

        if (document.Node is not JsonObject)
        {
            return WriteRow.Bad(document.Line, $"not a mapping of a {_messages.Request.FullName} or {_messages.Value.FullName}");
        }

        try
        {
            return WriteRow.Ok(document.Line, _messages.Parse(document.Node.ToJsonString()));
        }
        catch (FormatException e)
        {
            return WriteRow.Bad(document.Line, e.Message);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _text.Dispose();
}
