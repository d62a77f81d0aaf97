using System.Text;

namespace Banyan.Cli.Write;

/// <summary>
/// JSON lines: one JSON object per line, either a whole <c>WriteRequest</c> (protojson, as the gateway's NDJSON writes
/// take it) or only its value (<c>DataPointValue</c> / <c>ElementValue</c>). Blank lines are skipped.
/// </summary>
public sealed class JsonLinesRowSource : IWriteRowSource
{
    private readonly CountingStream _input;
    private readonly StreamReader _reader;
    private readonly WriteMessages _messages;
    private long _line;

    /// <summary>Rows from <paramref name="input"/> (<paramref name="length"/> bytes, when known).</summary>
    public JsonLinesRowSource(Stream input, long? length, WriteMessages messages)
    {
        _input = new CountingStream(input);
        _reader = new StreamReader(_input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
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
        while (_reader.ReadLine() is { } text)
        {
            _line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                return WriteRow.Ok(_line, _messages.Parse(text));
            }
            catch (FormatException e)
            {
                return WriteRow.Bad(_line, e.Message);
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public void Dispose() => _reader.Dispose();
}
