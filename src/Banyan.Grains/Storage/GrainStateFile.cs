using System.Buffers.Binary;
using Banyan.GrainInterfaces.Storage;
using Banyan.Storage.Checksums;

namespace Banyan.Grains.Storage;

/// <summary>
/// The bytes of one grain state file (<c>docs/format/grain-state.md</c>): a 24-byte header (magic,
/// format version, flags, ETag version, payload length, CRC-32C) followed by the payload, the state
/// as the silo's <see cref="Orleans.Storage.IGrainStorageSerializer"/> wrote it. All integers little-endian.
/// </summary>
internal static class GrainStateFile
{
    /// <summary>"BGST" read as a little-endian uint32.</summary>
    public const uint Magic = 0x54534742;

    /// <summary>2: the payload is the silo's grain storage serializer output (1 was the retired runtime's own encoding).</summary>
    public const ushort FormatVersion = 2;

    /// <summary>Bytes before the payload.</summary>
    public const int HeaderSize = 24;

    /// <summary>Offset of the CRC field; the CRC covers the bytes before it and the payload.</summary>
    private const int CrcOffset = 20;

    /// <summary>Builds a state file holding <paramref name="payload"/> at ETag version <paramref name="version"/>.</summary>
    public static byte[] Encode(long version, ReadOnlySpan<byte> payload)
    {
        byte[] file = new byte[HeaderSize + payload.Length];
        Span<byte> span = file;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)payload.Length);
        payload.CopyTo(span[HeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[CrcOffset..], Checksum(span));
        return file;
    }

    /// <summary>Validates a state file and returns its ETag version and payload.</summary>
    /// <exception cref="GrainStateCorruptionException">Any field is wrong; names <paramref name="path"/> and the field's offset.</exception>
    public static (long Version, ReadOnlyMemory<byte> Payload) Decode(byte[] file, string path)
    {
        if (file.Length < HeaderSize)
        {
            throw new GrainStateCorruptionException(path, file.Length, $"file is {file.Length} bytes, shorter than the {HeaderSize}-byte header");
        }

        ReadOnlySpan<byte> span = file;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (magic != Magic)
        {
            throw new GrainStateCorruptionException(path, 0, $"magic 0x{magic:X8}, expected 0x{Magic:X8}");
        }

        ushort format = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
        if (format != FormatVersion)
        {
            throw new GrainStateCorruptionException(path, 4, $"format version {format}, expected {FormatVersion}");
        }

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
        if (flags != 0)
        {
            throw new GrainStateCorruptionException(path, 6, $"flags 0x{flags:X4}, expected 0 (format version {FormatVersion} defines none)");
        }

        long version = BinaryPrimitives.ReadInt64LittleEndian(span[8..]);
        if (version < 1)
        {
            throw new GrainStateCorruptionException(path, 8, $"ETag version {version}, expected at least 1");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(span[16..]);
        if (length != (uint)(file.Length - HeaderSize))
        {
            throw new GrainStateCorruptionException(path, 16, $"payload length {length}, but {file.Length - HeaderSize} bytes follow the header");
        }

        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(span[CrcOffset..]);
        uint actual = Checksum(span);
        if (expected != actual)
        {
            throw new GrainStateCorruptionException(path, CrcOffset, $"CRC-32C of header and payload is 0x{actual:X8}, the header says 0x{expected:X8}");
        }

        return (version, file.AsMemory(HeaderSize));
    }

    // CRC-32C over header bytes 0..19 (everything before the CRC field) and the payload.
    private static uint Checksum(ReadOnlySpan<byte> file)
        => Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, file[..CrcOffset]), file[HeaderSize..]));
}
