using System.Buffers;
using System.Buffers.Binary;

namespace Banyan.Storage.Wal;

/// <summary>What <see cref="WalFileReader.Next"/> found.</summary>
internal enum WalReadStatus
{
    /// <summary>A valid record; see <see cref="WalFileReader.Lsn"/> and <see cref="WalFileReader.Payload"/>.</summary>
    Record,

    /// <summary>The file ended exactly after the previous record.</summary>
    End,

    /// <summary>The bytes at <see cref="WalFileReader.RecordOffset"/> are not a valid record; see <see cref="WalFileReader.Problem"/>.</summary>
    Bad,
}

/// <summary>
/// Reads the records of one WAL file in order, checking each one's length, checksum and LSN
/// sequence. It does not decide what a bad record means: a torn tail in the newest file is
/// repaired by <see cref="WriteAheadLog"/>, anything else is corruption.
/// </summary>
internal sealed class WalFileReader : IDisposable
{
    private readonly FileStream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _payloadLength;
    private long _expectedLsn;

    public WalFileReader(string path)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
        Length = _stream.Length;
        Span<byte> header = stackalloc byte[WalFormat.HeaderSize];
        int read = _stream.ReadAtLeast(header, WalFormat.HeaderSize, throwOnEndOfStream: false);
        HeaderValid = WalFormat.TryReadHeader(header[..read], out WalFileHeader parsed, out string? problem, out long problemOffset);
        Header = parsed;
        HeaderProblem = problem;
        HeaderProblemOffset = problemOffset;
        _expectedLsn = parsed.FirstLsn;
        Lsn = parsed.FirstLsn - 1;
        int start = HeaderValid ? parsed.Size : WalFormat.HeaderSize;
        RecordOffset = start;
        ValidEnd = start;
        if (HeaderValid)
        {
            _stream.Position = start;
        }
    }

    public string Path { get; }

    public long Length { get; }

    public bool HeaderValid { get; }

    public WalFileHeader Header { get; }

    public string? HeaderProblem { get; }

    /// <summary>Where the header problem lies (0 for the magic, 4 for the version, ...).</summary>
    public long HeaderProblemOffset { get; }

    public long FirstLsn => Header.FirstLsn;

    /// <summary>Offset of the record last returned, or of the bad bytes, or of the end.</summary>
    public long RecordOffset { get; private set; }

    /// <summary>Offset just past the last valid record (the header size before the first).</summary>
    public long ValidEnd { get; private set; }

    /// <summary>The LSN the next record must carry.</summary>
    public long ExpectedLsn => _expectedLsn;

    /// <summary>The LSN of the record last returned (the first LSN − 1 before the first).</summary>
    public long Lsn { get; private set; }

    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, _payloadLength);

    public string? Problem { get; private set; }

    public WalReadStatus Next()
    {
        if (!HeaderValid)
        {
            throw new InvalidOperationException("bug: reading records of a WAL file whose header is invalid");
        }

        RecordOffset = ValidEnd;
        long remaining = Length - ValidEnd;
        if (remaining == 0)
        {
            return WalReadStatus.End;
        }

        Span<byte> header = stackalloc byte[WalFormat.RecordHeaderSize];
        if (remaining < WalFormat.RecordHeaderSize)
        {
            return Bad($"{remaining} bytes left, less than a record header");
        }

        _stream.ReadExactly(header);
        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        long lsn = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        if (length < 0 || length > WalFormat.MaxPayloadSize)
        {
            return Bad($"record length {length} is outside 0..{WalFormat.MaxPayloadSize}");
        }

        if (length > remaining - WalFormat.RecordHeaderSize)
        {
            return Bad($"record length {length} runs past the end of the file ({remaining - WalFormat.RecordHeaderSize} bytes left)");
        }

        if (_buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(length);
        }

        _stream.ReadExactly(_buffer, 0, length);
        uint actual = Checksum(header, _buffer.AsSpan(0, length));
        if (actual != crc)
        {
            return Bad($"record checksum is 0x{crc:x8}, computed 0x{actual:x8}");
        }

        if (lsn != _expectedLsn)
        {
            return Bad($"record LSN is {lsn}, expected {_expectedLsn}");
        }

        _payloadLength = length;
        Lsn = lsn;
        _expectedLsn = lsn + 1;
        ValidEnd = RecordOffset + WalFormat.RecordHeaderSize + length;
        return WalReadStatus.Record;
    }

    /// <summary>
    /// The offset of a record that passes its checksum, with an LSN at or after the expected one,
    /// starting anywhere after <see cref="RecordOffset"/>, or -1 when there is none. In a version 1
    /// file such a record means the bad bytes are damage in the middle of acknowledged data, not a
    /// torn tail.
    /// </summary>
    public long FindValidRecordAfterBadOne()
    {
        long start = RecordOffset + 1;
        if (Length - start < WalFormat.RecordHeaderSize)
        {
            return -1;
        }

        byte[] rest = new byte[Length - start];
        _stream.Position = start;
        _stream.ReadExactly(rest);
        ReadOnlySpan<byte> span = rest;
        for (int at = 0; at + WalFormat.RecordHeaderSize <= span.Length; at++)
        {
            long lsn = BinaryPrimitives.ReadInt64LittleEndian(span[(at + 8)..]);
            if (lsn < _expectedLsn || lsn > _expectedLsn + (1L << 24))
            {
                continue;
            }

            int length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            if (length < 0 || length > span.Length - at - WalFormat.RecordHeaderSize)
            {
                continue;
            }

            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(span[(at + 4)..]);
            if (crc == Checksum(span.Slice(at, WalFormat.RecordHeaderSize), span.Slice(at + WalFormat.RecordHeaderSize, length)))
            {
                return start + at;
            }
        }

        return -1;
    }

    public void Dispose()
    {
        _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private static uint Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        uint state = Checksums.Crc32C.Append(Checksums.Crc32C.Start, header[..4]);
        state = Checksums.Crc32C.Append(state, header[8..16]);
        return Checksums.Crc32C.Finish(Checksums.Crc32C.Append(state, payload));
    }

    private WalReadStatus Bad(string problem)
    {
        Problem = problem;
        return WalReadStatus.Bad;
    }
}
