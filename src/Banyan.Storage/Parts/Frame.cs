using System.Buffers.Binary;
using Banyan.Storage.Bytes;
using Banyan.Storage.Checksums;
using Banyan.Storage.Compression;

namespace Banyan.Storage.Parts;

/// <summary>
/// The unit of storage inside part files: a 13-byte header then the (maybe compressed) payload.
/// <code>
/// u32 storedLength   bytes of payload that follow the header
/// u32 rawLength      bytes of payload after decompression
/// u8  codec          CompressionCodec: 0 none, 1 zstd, 2 lz4
/// u32 crc32c         CRC-32C of the 9 bytes above followed by the stored payload
/// </code>
/// Every block column, header chunk and index is one frame, so any flipped bit or torn write is
/// detected before a decoder sees the bytes.
/// </summary>
public static class Frame
{
    /// <summary>Size of the frame header.</summary>
    public const int HeaderSize = 13;

    /// <summary>Appends a frame holding <paramref name="raw"/> to <paramref name="output"/>; returns the frame size.</summary>
    public static int Write(ByteBuffer output, ReadOnlySpan<byte> raw, CompressionCodec codec, int zstdLevel)
    {
        ArgumentNullException.ThrowIfNull(output);
        int start = output.Length;
        output.GetSpan(HeaderSize);
        output.Advance(HeaderSize);
        CompressionCodec used = BlockCompressor.Compress(codec, zstdLevel, raw, output);
        int stored = output.Length - start - HeaderSize;
        ReadOnlySpan<byte> written = output.WrittenSpan;
        Span<byte> head = stackalloc byte[9];
        BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)stored);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)raw.Length);
        head[8] = (byte)used;
        uint crc = Crc32C.Append(Crc32C.Start, head);
        crc = Crc32C.Finish(Crc32C.Append(crc, written.Slice(start + HeaderSize, stored)));
        output.PatchUInt32(start, (uint)stored);
        output.PatchUInt32(start + 4, (uint)raw.Length);
        output.PatchByte(start + 8, (byte)used);
        output.PatchUInt32(start + 9, crc);
        return HeaderSize + stored;
    }

    /// <summary>
    /// Checks and decodes a frame read from <paramref name="path"/> at <paramref name="offset"/>:
    /// <paramref name="frame"/> must be exactly one frame. Returns the raw payload length written to the
    /// start of <paramref name="raw"/> (grown if needed).
    /// </summary>
    /// <exception cref="StorageCorruptionException">Length, checksum or compression is wrong.</exception>
    public static int Read(ReadOnlySpan<byte> frame, string path, long offset, ref byte[] raw)
    {
        if (frame.Length < HeaderSize)
        {
            throw new StorageCorruptionException(path, offset, $"frame of {frame.Length} bytes is shorter than its {HeaderSize}-byte header");
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        uint rawLength = BinaryPrimitives.ReadUInt32LittleEndian(frame[4..]);
        byte codec = frame[8];
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(frame[9..]);
        if (stored != (uint)(frame.Length - HeaderSize))
        {
            throw new StorageCorruptionException(path, offset, $"frame says {stored} payload bytes, the index says {frame.Length - HeaderSize}");
        }

        uint actual = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, frame[..9]), frame[HeaderSize..]));
        if (actual != crc)
        {
            throw new StorageCorruptionException(path, offset, $"frame checksum 0x{actual:X8}, header says 0x{crc:X8}");
        }

        if (rawLength > BlockCompressor.MaxRawLength)
        {
            throw new StorageCorruptionException(path, offset, $"frame declares {rawLength} raw bytes, more than the limit {BlockCompressor.MaxRawLength}");
        }

        if (raw.Length < rawLength)
        {
            raw = new byte[Math.Max((int)rawLength, raw.Length * 2)];
        }

        try
        {
            BlockCompressor.Decompress((CompressionCodec)codec, frame[HeaderSize..], raw.AsSpan(0, (int)rawLength));
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw new StorageCorruptionException(path, offset, e.Detail, e);
        }

        return (int)rawLength;
    }
}
