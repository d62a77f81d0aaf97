using System.Text;

namespace Banyan.Cli.Write;

/// <summary>
/// Reads CSV records (RFC 4180: comma-separated, fields in double quotes may hold commas, newlines and <c>""</c> for a
/// quote) one at a time from a <see cref="TextReader"/>, with the line each record starts on.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, string source)
{
    private readonly StringBuilder _field = new();
    private long _line = 1;

    /// <summary>The next record and its first line, or null at the end. Blank lines are skipped.</summary>
    /// <exception cref="InputFileException">A quoted field is not closed before the end of the file.</exception>
    public (List<string> Fields, long Line)? Next()
    {
        while (true)
        {
            int first = reader.Peek();
            if (first < 0)
            {
                return null;
            }

            if (first is '\n' or '\r')
            {
                ReadNewline();
                continue;
            }

            break;
        }

        long start = _line;
        List<string> fields = [];
        _field.Clear();
        bool quoted = false;
        bool wasQuoted = false;
        while (true)
        {
            int c = reader.Read();
            if (c < 0)
            {
                if (quoted)
                {
                    throw new InputFileException(source, start, "a quoted field is not closed before the end of the file");
                }

                fields.Add(_field.ToString());
                return (fields, start);
            }

            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        _field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    _field.Append((char)c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when _field.Length == 0 && !wasQuoted:
                    quoted = true;
                    wasQuoted = true;
                    break;
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    wasQuoted = false;
                    break;
                case '\r' or '\n':
                    if (c == '\r' && reader.Peek() == '\n')
                    {
                        reader.Read();
                    }

                    _line++;
                    fields.Add(_field.ToString());
                    return (fields, start);
                default:
                    _field.Append((char)c);
                    break;
            }
        }
    }

    private void ReadNewline()
    {
        int c = reader.Read();
        if (c == '\r' && reader.Peek() == '\n')
        {
            reader.Read();
        }

        _line++;
    }
}
