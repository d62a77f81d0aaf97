using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Banyan.Silo.Tests.Gateway;

/// <summary>
/// One HTTP/1.1 request over a plain socket with a chunked body the test sends piece by piece while it reads the answer
/// (HttpClient sends an HTTP/1.1 body whole before it hands out the response). Every read is bounded.
/// </summary>
public sealed class RawHttpExchange : IAsyncDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly List<byte> _body = [];
    private int _start;
    private int _end;
    private bool _chunked;
    private long _contentLeft = -1;
    private bool _bodyEnded;

    private RawHttpExchange(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> and sends the request line and headers of a chunked POST.</summary>
    public static async Task<RawHttpExchange> PostAsync(int port, string path, string contentType)
    {
        TcpClient client = new();
        using CancellationTokenSource bound = new(s_bound);
        await client.ConnectAsync(IPAddress.Loopback, port, bound.Token);
        RawHttpExchange exchange = new(client);
        string head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n";
        await exchange._stream.WriteAsync(Encoding.ASCII.GetBytes(head), bound.Token);
        return exchange;
    }

    /// <summary>Sends one chunk of the body.</summary>
    public async Task SendAsync(byte[] data)
    {
        using CancellationTokenSource bound = new(s_bound);
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(data.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), bound.Token);
        await _stream.WriteAsync(data, bound.Token);
        await _stream.WriteAsync("\r\n"u8.ToArray(), bound.Token);
        await _stream.FlushAsync(bound.Token);
    }

    /// <summary>Sends one chunk of UTF-8 text.</summary>
    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Ends the body.</summary>
    public async Task EndAsync()
    {
        using CancellationTokenSource bound = new(s_bound);
        await _stream.WriteAsync("0\r\n\r\n"u8.ToArray(), bound.Token);
    }

    /// <summary>Reads the status line and headers of the answer.</summary>
    public async Task<(int Status, Dictionary<string, string> Headers)> ReadHeadAsync()
    {
        string statusLine = await ReadRawLineAsync();
        int status = int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
        Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase);
        for (string line = await ReadRawLineAsync(); line.Length > 0; line = await ReadRawLineAsync())
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        _chunked = headers.TryGetValue("Transfer-Encoding", out string? encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        _contentLeft = headers.TryGetValue("Content-Length", out string? length) ? long.Parse(length, CultureInfo.InvariantCulture) : -1;
        return (status, headers);
    }

    /// <summary>The next line of the answer's body (without its newline), or null at its end.</summary>
    public async Task<string?> ReadBodyLineAsync()
    {
        while (true)
        {
            int newline = _body.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                string line = Encoding.UTF8.GetString(_body.GetRange(0, newline).ToArray());
                _body.RemoveRange(0, newline + 1);
                return line;
            }

            if (_bodyEnded)
            {
                if (_body.Count == 0)
                {
                    return null;
                }

                string rest = Encoding.UTF8.GetString([.. _body]);
                _body.Clear();
                return rest;
            }

            await ReadBodyPieceAsync();
        }
    }

    /// <summary>The rest of the answer's body.</summary>
    public async Task<string> ReadBodyToEndAsync()
    {
        while (!_bodyEnded)
        {
            await ReadBodyPieceAsync();
        }

        string text = Encoding.UTF8.GetString([.. _body]);
        _body.Clear();
        return text;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ReadBodyPieceAsync()
    {
        if (_chunked)
        {
            int size = int.Parse(await ReadRawLineAsync(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                await ReadRawLineAsync();
                _bodyEnded = true;
                return;
            }

            _body.AddRange(await ReadExactAsync(size));
            await ReadRawLineAsync();
        }
        else if (_contentLeft >= 0)
        {
            int size = (int)Math.Min(_contentLeft, _buffer.Length);
            _body.AddRange(await ReadExactAsync(size));
            _contentLeft -= size;
            _bodyEnded = _contentLeft == 0;
        }
        else
        {
            // No length given: the body ends with the connection.
            if (_start == _end)
            {
                _bodyEnded = !await FillAsync();
            }

            _body.AddRange(_buffer.AsSpan(_start, _end - _start).ToArray());
            _start = _end;
        }
    }

    private async Task<byte[]> ReadExactAsync(int count)
    {
        byte[] data = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            if (_start == _end && !await FillAsync())
            {
                throw new EndOfStreamException($"The answer ended {count - filled} bytes early.");
            }

            int take = Math.Min(count - filled, _end - _start);
            _buffer.AsSpan(_start, take).CopyTo(data.AsSpan(filled));
            _start += take;
            filled += take;
        }

        return data;
    }

    private async Task<string> ReadRawLineAsync()
    {
        StringBuilder line = new();
        while (true)
        {
            if (_start == _end && !await FillAsync())
            {
                throw new EndOfStreamException($"The connection closed inside a line ('{line}').");
            }

            byte b = _buffer[_start++];
            if (b == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)b);
        }
    }

    private async Task<bool> FillAsync()
    {
        using CancellationTokenSource bound = new(s_bound);
        int read = await _stream.ReadAsync(_buffer, bound.Token);
        _start = 0;
        _end = read;
        return read > 0;
    }
}
