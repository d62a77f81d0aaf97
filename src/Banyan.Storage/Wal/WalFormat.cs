using System.Buffers.Binary;
using Banyan.Storage.Checksums;
using Banyan.Storage.Durability;

namespace Banyan.Storage.Wal;

/// <summary>
/// Byte layout of WAL files (see <c>docs/format/wal.md</c>). All integers little-endian.
/// <code>
/// file header (20 bytes): magic "BWAL" | version u32 = 1 | first LSN u64 | CRC-32C of bytes 0..16 u32
/// record (16 + n bytes):  payload length n u32 | CRC-32C u32 | LSN u64 | payload (n bytes)
/// </code>
/// The record CRC covers the length field, the LSN and the payload (everything but itself), so
/// a damaged length is caught as surely as a damaged payload.
/// </summary>
public static class WalFormat
{
    /// <summary>"BWAL" as it appears on disk.</summary>
    public static ReadOnlySpan<byte> Magic => "BWAL"u8;

    /// <summary>The only format version written and read.</summary>
    public const uint Version = 1;

    /// <summary>Size of the file header in bytes.</summary>
    public const int HeaderSize = 20;

    /// <summary>Size of a record's fixed part (length, CRC, LSN) in bytes.</summary>
    public const int RecordHeaderSize = 16;

    /// <summary>Largest payload accepted (256 MiB): a length above it is corruption, not data.</summary>
    public const int MaxPayloadSize = 256 << 20;

    /// <summary>File name extension of WAL files.</summary>
    public const string FileExtension = ".wal";

    /// <summary>The name of the WAL file whose first record has <paramref name="firstLsn"/>.</summary>
    public static string FileName(long firstLsn) => HexFileName.Format(firstLsn, FileExtension);

    /// <summary>Parses a WAL file name; false for anything else in the directory.</summary>
    public static bool TryParseFileName(string fileName, out long firstLsn) => HexFileName.TryParse(fileName, FileExtension, out firstLsn);

    /// <summary>Writes the 20-byte file header into <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, long firstLsn)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], firstLsn);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], Crc32C.Compute(destination[..16]));
    }

    /// <summary>Checks a file header; returns its first LSN or a reason it is not valid.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out long firstLsn, out string? problem)
    {
        firstLsn = 0;
        if (source.Length < HeaderSize)
        {
            problem = $"file header is {source.Length} bytes, expected {HeaderSize}";
            return false;
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]);
        uint actual = Crc32C.Compute(source[..16]);
        if (crc != actual)
        {
            problem = $"file header checksum is 0x{crc:x8}, computed 0x{actual:x8}";
            return false;
        }

        if (!source[..4].SequenceEqual(Magic))
        {
            problem = "file header magic is not \"BWAL\"";
            return false;
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]);
        if (version != Version)
        {
            problem = $"file format version {version}, this build reads {Version}";
            return false;
        }

        firstLsn = BinaryPrimitives.ReadInt64LittleEndian(source[8..]);
        if (firstLsn < 1)
        {
            problem = $"first LSN {firstLsn} is not positive";
            return false;
        }

        problem = null;
        return true;
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
}
