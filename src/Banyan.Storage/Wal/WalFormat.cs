using System.Buffers.Binary;
using Banyan.Storage.Checksums;
using Banyan.Storage.Durability;

namespace Banyan.Storage.Wal;

/// <summary>
/// Byte layout of WAL files (see <c>docs/format/wal.md</c>). All integers little-endian.
/// <code>
/// version 2 (written):
///   file header (72 bytes): magic "BWAL" | version u32 = 2 | first LSN i64 | header size u32 = 72
///                           | CRC-32C of bytes 0..19 u32 | commit slot 0 (24 bytes) | commit slot 1 (24 bytes)
///   commit slot (24 bytes): end offset i64 | last LSN i64 | flags u32 (bit 0: sealed)
///                           | CRC-32C of (first LSN i64, slot bytes 0..19) u32
/// version 1 (read only):
///   file header (20 bytes): magic "BWAL" | version u32 = 1 | first LSN i64 | CRC-32C of bytes 0..15 u32
/// both versions, after the header:
///   record (16 + n bytes):  payload length n u32 | CRC-32C u32 | LSN i64 | payload (n bytes)
/// </code>
/// The record CRC covers the length field, the LSN and the payload (everything but itself), so
/// a damaged length is caught as surely as a damaged payload. A commit slot records how far the
/// file's records were acknowledged (see <see cref="WalCommitMark"/>); the two slots are written in
/// turn so that a write torn by a power cut leaves the other one, one group commit older, intact.
/// </summary>
public static class WalFormat
{
    /// <summary>"BWAL" as it appears on disk.</summary>
    public static ReadOnlySpan<byte> Magic => "BWAL"u8;

    /// <summary>The format version written (version 1 files are still read).</summary>
    public const uint Version = 2;

    /// <summary>The first format version: no commit slots; read, never written.</summary>
    public const uint Version1 = 1;

    /// <summary>Size of a version 2 file header, commit slots included; the first record starts here.</summary>
    public const int HeaderSize = 72;

    /// <summary>Size of a version 1 file header.</summary>
    public const int Version1HeaderSize = 20;

    /// <summary>Size of the fixed part of a version 2 header (before the commit slots).</summary>
    public const int FixedHeaderSize = 24;

    /// <summary>Size of one commit slot.</summary>
    public const int CommitSlotSize = 24;

    /// <summary>Size of a record's fixed part (length, CRC, LSN) in bytes.</summary>
    public const int RecordHeaderSize = 16;

    /// <summary>Largest payload accepted (256 MiB): a length above it is corruption, not data.</summary>
    public const int MaxPayloadSize = 256 << 20;

    /// <summary>File name extension of WAL files.</summary>
    public const string FileExtension = ".wal";

    private const uint SealedFlag = 1;

    /// <summary>The name of the WAL file whose first record has <paramref name="firstLsn"/>.</summary>
    public static string FileName(long firstLsn) => HexFileName.Format(firstLsn, FileExtension);

    /// <summary>Parses a WAL file name; false for anything else in the directory.</summary>
    public static bool TryParseFileName(string fileName, out long firstLsn) => HexFileName.TryParse(fileName, FileExtension, out firstLsn);

    /// <summary>Offset of commit slot <paramref name="slot"/> (0 or 1) in a version 2 file.</summary>
    public static int CommitSlotOffset(int slot) => FixedHeaderSize + (slot * CommitSlotSize);

    /// <summary>
    /// Writes the 72-byte version 2 file header into <paramref name="destination"/>: both commit slots
    /// say that nothing in the file is acknowledged yet.
    /// </summary>
    public static void WriteHeader(Span<byte> destination, long firstLsn)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], firstLsn);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], Crc32C.Compute(destination[..20]));
        WalCommitMark empty = WalCommitMark.Empty(firstLsn);
        WriteCommitSlot(destination.Slice(CommitSlotOffset(0), CommitSlotSize), firstLsn, empty);
        WriteCommitSlot(destination.Slice(CommitSlotOffset(1), CommitSlotSize), firstLsn, empty);
    }

    /// <summary>Encodes one 24-byte commit slot of the file whose first LSN is <paramref name="firstLsn"/>.</summary>
    public static void WriteCommitSlot(Span<byte> destination, long firstLsn, WalCommitMark mark)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, mark.End);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], mark.LastLsn);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], mark.Sealed ? SealedFlag : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], CommitSlotChecksum(firstLsn, destination[..20]));
    }

    /// <summary>Checks a file header of either version; returns its first LSN or a reason it is not valid.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out long firstLsn, out string? problem)
    {
        bool valid = TryReadHeader(source, out WalFileHeader header, out problem, out _);
        firstLsn = header.FirstLsn;
        return valid;
    }

    /// <summary>Checks a file header of either version.</summary>
    /// <param name="source">The first bytes of the file (at least <see cref="HeaderSize"/> when the file has them).</param>
    /// <param name="header">The header, when valid.</param>
    /// <param name="problem">Why it is not valid.</param>
    /// <param name="problemOffset">Where in the file the problem lies.</param>
    internal static bool TryReadHeader(ReadOnlySpan<byte> source, out WalFileHeader header, out string? problem, out long problemOffset)
    {
        header = default;
        problemOffset = 0;
        if (source.Length < 8)
        {
            problem = $"file is {source.Length} bytes, shorter than the magic and version";
            return false;
        }

        if (!source[..4].SequenceEqual(Magic))
        {
            problem = "file header magic is not \"BWAL\"";
            return false;
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]);
        return version switch
        {
            Version1 => TryReadVersion1(source, out header, out problem, out problemOffset),
            Version => TryReadVersion2(source, out header, out problem, out problemOffset),
            _ => Fail($"file format version {version}, this build reads {Version1} and {Version}", 4, out header, out problem, out problemOffset),
        };
    }

    /// <summary>Encodes one record (header and payload) into <paramref name="destination"/>, which must hold 16 + payload bytes.</summary>
    public static void WriteRecord(Span<byte> destination, long lsn, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], lsn);
        payload.CopyTo(destination[RecordHeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], RecordChecksum(destination[..4], destination[8..(RecordHeaderSize + payload.Length)]));
    }

    /// <summary>CRC-32C over the length field followed by LSN and payload.</summary>
    public static uint RecordChecksum(ReadOnlySpan<byte> lengthField, ReadOnlySpan<byte> lsnAndPayload)
        => Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, lengthField), lsnAndPayload));

    private static bool TryReadVersion1(ReadOnlySpan<byte> source, out WalFileHeader header, out string? problem, out long problemOffset)
    {
        if (source.Length < Version1HeaderSize)
        {
            return Fail($"file header is {source.Length} bytes, expected {Version1HeaderSize}", source.Length, out header, out problem, out problemOffset);
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]);
        uint actual = Crc32C.Compute(source[..16]);
        if (crc != actual)
        {
            return Fail($"file header checksum is 0x{crc:x8}, computed 0x{actual:x8} (over bytes 0..15)", 0, out header, out problem, out problemOffset);
        }

        long firstLsn = BinaryPrimitives.ReadInt64LittleEndian(source[8..]);
        if (firstLsn < 1)
        {
            return Fail($"first LSN {firstLsn} is not positive", 8, out header, out problem, out problemOffset);
        }

        header = new WalFileHeader(Version1, firstLsn, Version1HeaderSize, default, -1, null);
        problem = null;
        problemOffset = 0;
        return true;
    }

    private static bool TryReadVersion2(ReadOnlySpan<byte> source, out WalFileHeader header, out string? problem, out long problemOffset)
    {
        if (source.Length < FixedHeaderSize)
        {
            return Fail($"file header is {source.Length} bytes, expected {HeaderSize}", source.Length, out header, out problem, out problemOffset);
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(source[20..]);
        uint actual = Crc32C.Compute(source[..20]);
        if (crc != actual)
        {
            return Fail($"file header checksum is 0x{crc:x8}, computed 0x{actual:x8} (over bytes 0..19)", 0, out header, out problem, out problemOffset);
        }

        long firstLsn = BinaryPrimitives.ReadInt64LittleEndian(source[8..]);
        if (firstLsn < 1)
        {
            return Fail($"first LSN {firstLsn} is not positive", 8, out header, out problem, out problemOffset);
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]);
        if (size != HeaderSize)
        {
            return Fail($"header size {size}, version 2 headers are {HeaderSize} bytes", 16, out header, out problem, out problemOffset);
        }

        if (source.Length < HeaderSize)
        {
            return Fail($"file is {source.Length} bytes, shorter than its {HeaderSize}-byte header (commit slots cut off)", source.Length, out header, out problem, out problemOffset);
        }

        bool valid0 = TryReadCommitSlot(source.Slice(CommitSlotOffset(0), CommitSlotSize), firstLsn, out WalCommitMark mark0, out string? problem0);
        bool valid1 = TryReadCommitSlot(source.Slice(CommitSlotOffset(1), CommitSlotSize), firstLsn, out WalCommitMark mark1, out string? problem1);
        if (!valid0 && !valid1)
        {
            return Fail($"both commit slots are damaged (slot 0: {problem0}; slot 1: {problem1})", CommitSlotOffset(0), out header, out problem, out problemOffset);
        }

        // The newer slot holds the higher LSN; on a tie the sealed one (rotation wrote it last).
        int current = !valid1 ? 0
            : !valid0 ? 1
            : mark1.LastLsn > mark0.LastLsn || (mark1.LastLsn == mark0.LastLsn && mark1.Sealed && !mark0.Sealed) ? 1 : 0;
        string? damaged = !valid0 ? $"commit slot 0 at offset {CommitSlotOffset(0)}: {problem0}"
            : !valid1 ? $"commit slot 1 at offset {CommitSlotOffset(1)}: {problem1}"
            : null;
        header = new WalFileHeader(Version, firstLsn, HeaderSize, current == 0 ? mark0 : mark1, current, damaged);
        problem = null;
        problemOffset = 0;
        return true;
    }

    private static bool TryReadCommitSlot(ReadOnlySpan<byte> slot, long firstLsn, out WalCommitMark mark, out string? problem)
    {
        mark = default;
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(slot[20..]);
        uint actual = CommitSlotChecksum(firstLsn, slot[..20]);
        if (crc != actual)
        {
            problem = $"checksum is 0x{crc:x8}, computed 0x{actual:x8}";
            return false;
        }

        long end = BinaryPrimitives.ReadInt64LittleEndian(slot);
        long lastLsn = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(slot[16..]);
        if ((flags & ~SealedFlag) != 0)
        {
            problem = $"unknown flags 0x{flags:x8}";
            return false;
        }

        // Nothing acknowledged is (header size, first LSN - 1); otherwise at least one record of at least 16 bytes.
        bool empty = end == HeaderSize && lastLsn == firstLsn - 1;
        bool some = end >= HeaderSize + RecordHeaderSize && lastLsn >= firstLsn;
        if (!empty && !some)
        {
            problem = $"end offset {end} and last LSN {lastLsn} do not fit a file starting at LSN {firstLsn}";
            return false;
        }

        mark = new WalCommitMark(end, lastLsn, (flags & SealedFlag) != 0);
        problem = null;
        return true;
    }

    private static uint CommitSlotChecksum(long firstLsn, ReadOnlySpan<byte> slotFields)
    {
        Span<byte> first = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(first, firstLsn);
        return Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, first), slotFields));
    }

    private static bool Fail(string reason, long offset, out WalFileHeader header, out string? problem, out long problemOffset)
    {
        header = default;
        problem = reason;
        problemOffset = offset;
        return false;
    }
}
