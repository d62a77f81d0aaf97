using System.Buffers.Binary;
using System.Globalization;
using Banyan.Storage.Checksums;

namespace Banyan.Storage.Snapshots;

/// <summary>
/// Encoding of a shard snapshot file <c>&lt;016x epoch&gt;.snp</c> (see <c>docs/format/snapshot.md</c>).
/// All integers little-endian:
/// <code>
/// magic "BSNP" | version u32 = 1 | epoch u64 | flushed WAL LSN u64 | part count u32 |
/// part id u64 × count (oldest data first) | CRC-32C of all preceding bytes u32
/// </code>
/// </summary>
public static class SnapshotFile
{
    /// <summary>"BSNP" as it appears on disk.</summary>
    public static ReadOnlySpan<byte> Magic => "BSNP"u8;

    /// <summary>The only format version written and read.</summary>
    public const uint Version = 1;

    /// <summary>Bytes before the part ids.</summary>
    public const int FixedSize = 28;

    /// <summary>Largest number of parts a snapshot may list; more is corruption.</summary>
    public const int MaxParts = 1 << 20;

    /// <summary>File name extension of snapshot files.</summary>
    public const string FileExtension = ".snp";

    /// <summary>Suffix of files and folders being written; they are removed when found at open.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>The file name of the snapshot with <paramref name="epoch"/>.</summary>
    public static string FileName(long epoch) => epoch.ToString("x16", CultureInfo.InvariantCulture) + FileExtension;

    /// <summary>Parses a snapshot file name; false for anything else.</summary>
    public static bool TryParseFileName(string fileName, out long epoch)
    {
        epoch = 0;
        return fileName.Length == 16 + FileExtension.Length
            && fileName.EndsWith(FileExtension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out epoch);
    }

    /// <summary>
    /// Encodes <paramref name="snapshot"/>. Part ids keep their order: oldest data first, which
    /// decides which of two equal-version measure rows wins (the newer part).
    /// </summary>
    public static byte[] Encode(ShardSnapshotRecord snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        IReadOnlyList<long> ids = snapshot.PartIds;
        byte[] bytes = new byte[FixedSize + (ids.Count * 8) + 4];
        Span<byte> span = bytes;
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], snapshot.Epoch);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], snapshot.FlushedLsn);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], ids.Count);
        for (int i = 0; i < ids.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[(FixedSize + (i * 8))..], ids[i]);
        }

        int crcAt = bytes.Length - 4;
        BinaryPrimitives.WriteUInt32LittleEndian(span[crcAt..], Crc32C.Compute(span[..crcAt]));
        return bytes;
    }

    /// <summary>Decodes and checks a snapshot file's bytes.</summary>
    /// <exception cref="StorageCorruptionException">Any check fails; names <paramref name="path"/> and the offset.</exception>
    public static ShardSnapshotRecord Decode(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < FixedSize + 4)
        {
            throw new StorageCorruptionException(path, bytes.Length, $"snapshot file is {bytes.Length} bytes, shorter than the {FixedSize + 4}-byte minimum");
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes[24..]);
        if (count < 0 || count > MaxParts)
        {
            throw new StorageCorruptionException(path, 24, $"part count {count} is outside 0..{MaxParts}");
        }

        int expectedLength = FixedSize + (count * 8) + 4;
        if (bytes.Length != expectedLength)
        {
            throw new StorageCorruptionException(path, Math.Min(bytes.Length, expectedLength), $"snapshot file is {bytes.Length} bytes, {count} parts need {expectedLength}");
        }

        int crcAt = expectedLength - 4;
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes[crcAt..]);
        uint actual = Crc32C.Compute(bytes[..crcAt]);
        if (crc != actual)
        {
            throw new StorageCorruptionException(path, crcAt, $"snapshot checksum is 0x{crc:x8}, computed 0x{actual:x8}");
        }

        if (!bytes[..4].SequenceEqual(Magic))
        {
            throw new StorageCorruptionException(path, 0, "snapshot magic is not \"BSNP\"");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (version != Version)
        {
            throw new StorageCorruptionException(path, 4, $"snapshot format version {version}, this build reads {Version}");
        }

        long epoch = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        long flushedLsn = BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]);
        if (epoch < 1 || flushedLsn < 0)
        {
            throw new StorageCorruptionException(path, 8, $"epoch {epoch} or flushed LSN {flushedLsn} out of range");
        }

        long[] ids = new long[count];
        HashSet<long> seen = new(count);
        for (int i = 0; i < count; i++)
        {
            ids[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(FixedSize + (i * 8))..]);
            if (ids[i] < 1 || ids[i] >= epoch || !seen.Add(ids[i]))
            {
                throw new StorageCorruptionException(path, FixedSize + (i * 8), $"part id {ids[i]} is not in 1..{epoch - 1} or is listed twice");
            }
        }

        return new ShardSnapshotRecord(epoch, flushedLsn, ids);
    }
}
