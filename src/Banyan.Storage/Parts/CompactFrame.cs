using System.Buffers.Binary;
using Banyan.Storage.Bytes;
using Banyan.Storage.Checksums;
using Banyan.Storage.Compression;

namespace Banyan.Storage.Parts;

/// <summary>
/// The unit of storage inside the files of a format-2 part (docs/format/compression.md): whoever points at
/// a frame records its size, so the frame itself need not, and a payload stored raw needs no raw length.
/// <code>
/// u8     codec        CompressionCodec: 0 none, 1 zstd, 2 lz4
/// varint rawLength    bytes after decompression (codec ≠ 0 only; ≤ 256 MiB)
/// ...    payload      stored (maybe compressed) bytes
/// u32    crc32c       CRC-32C of every byte of the frame before it
/// </code>
/// 5 bytes of framing for a raw payload against <see cref="Frame"/>'s 13: a part holds one frame per block
/// and column, and for a block of a few hundred samples those 8 bytes are a few percent of its size.
/// </summary>
public static class CompactFrame
{
    /// <summary>Smallest frame: codec byte and checksum around an empty raw payload.</summary>
    public const int MinSize = 5;

    /// <summary>Appends a frame holding <paramref name="raw"/> to <paramref name="output"/>; returns the frame size.</summary>
    public static int Write(ByteBuffer output, ReadOnlySpan<byte> raw, CompressionCodec codec, int zstdLevel)
    {
        ArgumentNullException.ThrowIfNull(output);
        int start = output.Length;
        output.WriteByte(0);
        output.WriteVarUInt64((ulong)raw.Length);
        int payloadStart = output.Length;
        CompressionCodec used = BlockCompressor.Compress(codec, zstdLevel, raw, output);
        if (used == CompressionCodec.None)
        {
            // Stored raw: the raw length is the payload's own, so it goes (the payload moves down over it).
            output.RemoveRange(start + 1, payloadStart - start - 1);
        }

        output.PatchByte(start, (byte)used);
        uint crc = Crc32C.Compute(output.WrittenSpan[start..]);
        output.WriteUInt32(crc);
        return output.Length - start;
    }

    /// <summary>
    /// Checks and decodes a frame read from <paramref name="path"/> at <paramref name="offset"/>:
    /// <paramref name="frame"/> must be exactly one frame. Returns the raw payload length written to the
    /// start of <paramref name="raw"/> (grown if needed).
    /// </summary>
    /// <exception cref="StorageCorruptionException">Checksum, length or compression is wrong.</exception>
    public static int Read(ReadOnlySpan<byte> frame, string path, long offset, ref byte[] raw)
    {
        if (frame.Length < MinSize)
        {
            throw new StorageCorruptionException(path, offset, $"frame of {frame.Length} bytes is shorter than the {MinSize}-byte minimum");
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(frame[^4..]);
        uint actual = Crc32C.Compute(frame[..^4]);
        if (actual != crc)
        {
            throw new StorageCorruptionException(path, offset, $"frame checksum 0x{actual:X8}, stored 0x{crc:X8}");
        }

        var codec = (CompressionCodec)frame[0];
        ReadOnlySpan<byte> body = frame[1..^4];
        int rawLength;
        if (codec == CompressionCodec.None)
        {
            rawLength = body.Length;
        }
        else
        {
            var reader = new SpanReader(body);
            ulong declared;
            try
            {
                declared = reader.ReadVarUInt64();
            }
            catch (StorageCorruptionException e)
            {
                throw new StorageCorruptionException(path, offset + 1, "frame raw length: " + e.Detail, e);
            }

            if (declared > BlockCompressor.MaxRawLength)
            {
                throw new StorageCorruptionException(path, offset + 1, $"frame declares {declared} raw bytes, more than the limit {BlockCompressor.MaxRawLength}");
            }

            rawLength = (int)declared;
            body = body[reader.Position..];
        }

        if (raw.Length < rawLength)
        {
            raw = new byte[Math.Max(rawLength, raw.Length * 2)];
        }

        try
        {
            BlockCompressor.Decompress(codec, body, raw.AsSpan(0, rawLength));
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw new StorageCorruptionException(path, offset, e.Detail, e);
        }

        return rawLength;
    }
}
