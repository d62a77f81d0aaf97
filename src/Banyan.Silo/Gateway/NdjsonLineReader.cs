using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Banyan.Silo.Gateway;

/// <summary>
/// Splits a request body into lines as it arrives (newline-delimited JSON), holding at most one line of at most the
/// limit: bytes are copied out of Kestrel's buffers as they come (Kestrel stops reading the socket while 1 MiB sits
/// unconsumed), and a line that grows past the limit is dropped and skipped to its end without being kept. Blank
/// lines are skipped; <c>\r\n</c> ends a line as <c>\n</c> does; the last line needs no newline.
/// </summary>
internal sealed class NdjsonLineReader(PipeReader body, int maxLineBytes) : IDisposable
{
    private byte[] _pending = [];
    private int _pendingLength;
    private bool _oversized;
    private bool _ended;
    private int _lineNumber;

    /// <summary>
    /// The next line that is not blank: its number (1-based, counting every line of the body) and its text, or why it
    /// cannot be read (longer than the limit, not UTF-8). Null at the end of the body.
    /// </summary>
    public async ValueTask<NdjsonLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (!_ended)
        {
            ReadResult read = await body.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = read.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } newline)
            {
                NdjsonLine? line = EndLine(buffer.Slice(0, newline));
                body.AdvanceTo(buffer.GetPosition(1, newline));
                if (line is not null)
                {
                    return line;
                }

                continue;
            }

            Keep(buffer);
            body.AdvanceTo(buffer.End);
            if (read.IsCompleted)
            {
                _ended = true;
                if (_pendingLength > 0 || _oversized)
                {
                    return EndLine(ReadOnlySequence<byte>.Empty);
                }
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Release();
    }

    // The end of a line: the part before the newline joins what is kept of it. Null for a blank line.
    private NdjsonLine? EndLine(ReadOnlySequence<byte> last)
    {
        _lineNumber++;
        if (_oversized || _pendingLength + last.Length > maxLineBytes)
        {
            _oversized = false;
            Release();
            return new NdjsonLine(_lineNumber, null, new RequestTooLargeException($"line {_lineNumber}", maxLineBytes));
        }

        string text;
        try
        {
            if (_pendingLength == 0)
            {
                text = GatewayCodec.StrictUtf8.GetString(last);
            }
            else
            {
                Keep(last);
                text = GatewayCodec.StrictUtf8.GetString(_pending, 0, _pendingLength);
            }
        }
        catch (DecoderFallbackException e)
        {
            return new NdjsonLine(_lineNumber, null, new global::Grpc.Core.RpcException(new global::Grpc.Core.Status(global::Grpc.Core.StatusCode.InvalidArgument, $"line {_lineNumber} is not valid UTF-8: {e.Message}")));
        }
        finally
        {
            Release();
        }

        if (text.EndsWith('\r'))
        {
            text = text[..^1];
        }

        return string.IsNullOrWhiteSpace(text) ? null : new NdjsonLine(_lineNumber, text, null);
    }

    // Part of a line whose end has not arrived: kept, or, once the line is past the limit, dropped with the rest of it.
    private void Keep(ReadOnlySequence<byte> part)
    {
        if (_oversized)
        {
            return;
        }

        if (_pendingLength + part.Length > maxLineBytes)
        {
            _oversized = true;
            Release();
            return;
        }

        int needed = _pendingLength + (int)part.Length;
        if (needed > _pending.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(needed, _pending.Length * 2), maxLineBytes));
            _pending.AsSpan(0, _pendingLength).CopyTo(larger);
            ReturnBuffer();
            _pending = larger;
        }

        part.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength = needed;
    }

    private void Release()
    {
        _pendingLength = 0;
        ReturnBuffer();
        _pending = [];
    }

    private void ReturnBuffer()
    {
        if (_pending.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_pending);
        }
    }
}

/// <summary>One line of an NDJSON body.</summary>
/// <param name="Number">The line's number in the body, from 1 (blank lines count).</param>
/// <param name="Text">The line, or null when it cannot be read.</param>
/// <param name="Error">Why the line cannot be read (<see cref="RequestTooLargeException"/>: its bytes were not kept; not UTF-8: INVALID_ARGUMENT), or null.</param>
internal sealed record NdjsonLine(int Number, string? Text, Exception? Error);
