using System.Buffers.Binary;
using Banyan.Storage.Bytes;
using Banyan.Storage.Durability;

namespace Banyan.Storage.Snapshots;

/// <summary>
/// Encoding of a shard snapshot file <c>&lt;016x epoch&gt;.snp</c> (see <c>docs/format/snapshot.md</c>):
/// the durability kit's file header and checksum footer around the snapshot's fields. All integers
/// little-endian:
/// <code>
/// magic "BSNP" | version u32 = 1 | epoch u64 | flushed WAL LSN u64 | part count u32 |
/// part id u64 × count (oldest data first) | CRC-32C of all preceding bytes u32
/// </code>
/// </summary>
public static class SnapshotFile
{
    /// <summary>"BSNP" as the header's u32.</summary>
    public static readonly uint Magic = FileHeader.Magic("BSNP");

    /// <summary>The only format version written and read.</summary>
    public const uint Version = 1;

    /// <summary>Bytes before the part ids.</summary>
    public const int FixedSize = FileHeader.Size + 20;

    /// <summary>Largest number of parts a snapshot may list; more is corruption.</summary>
    public const int MaxParts = 1 << 20;

    /// <summary>File name extension of snapshot files.</summary>
    public const string FileExtension = ".snp";

    /// <summary>The file name of the snapshot with <paramref name="epoch"/>.</summary>
    public static string FileName(long epoch) => HexFileName.Format(epoch, FileExtension);

    /// <summary>Parses a snapshot file name; false for anything else.</summary>
    public static bool TryParseFileName(string fileName, out long epoch) => HexFileName.TryParse(fileName, FileExtension, out epoch);

    /// <summary>
    /// Encodes <paramref name="snapshot"/>. Part ids keep their order: oldest data first, which
    /// decides which of two equal-version measure rows wins (the newer part).
    /// </summary>
    public static byte[] Encode(ShardSnapshotRecord snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        IReadOnlyList<long> ids = snapshot.PartIds;
        using var output = new ByteBuffer(FixedSize + (ids.Count * 8) + ChecksumFooter.Size);
        FileHeader.Write(output, Magic, Version);
        output.WriteInt64(snapshot.Epoch);
        output.WriteInt64(snapshot.FlushedLsn);
        output.WriteUInt32((uint)ids.Count);
        for (int i = 0; i < ids.Count; i++)
        {
            output.WriteInt64(ids[i]);
        }

        ChecksumFooter.Append(output);
        return output.ToArray();
    }

    /// <summary>Decodes and checks a snapshot file's bytes.</summary>
    /// <exception cref="StorageCorruptionException">Any check fails; names <paramref name="path"/> and the offset.</exception>
    public static ShardSnapshotRecord Decode(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < FixedSize + ChecksumFooter.Size)
        {
            throw new StorageCorruptionException(path, bytes.Length, $"snapshot file is {bytes.Length} bytes, shorter than the {FixedSize + ChecksumFooter.Size}-byte minimum");
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes[24..]);
        if (count < 0 || count > MaxParts)
        {
            throw new StorageCorruptionException(path, 24, $"part count {count} is outside 0..{MaxParts}");
        }

        int expectedLength = FixedSize + (count * 8) + ChecksumFooter.Size;
        if (bytes.Length != expectedLength)
        {
            throw new StorageCorruptionException(path, Math.Min(bytes.Length, expectedLength), $"snapshot file is {bytes.Length} bytes, {count} parts need {expectedLength}");
        }

        var reader = new SpanReader(ChecksumFooter.Verify(bytes, path), path, 0);
        FileHeader.Read(bytes, path, Magic, Version, Version);
        reader.ReadSpan(FileHeader.Size);
        long epoch = reader.ReadInt64();
        long flushedLsn = reader.ReadInt64();
        if (epoch < 1 || flushedLsn < 0)
        {
            throw new StorageCorruptionException(path, 8, $"epoch {epoch} or flushed LSN {flushedLsn} out of range");
        }

        reader.ReadUInt32(); // the part count, checked above
        long[] ids = new long[count];
        HashSet<long> seen = new(count);
        for (int i = 0; i < count; i++)
        {
            long at = reader.AbsoluteOffset;
            ids[i] = reader.ReadInt64();
            if (ids[i] < 1 || ids[i] >= epoch || !seen.Add(ids[i]))
            {
                throw new StorageCorruptionException(path, at, $"part id {ids[i]} is not in 1..{epoch - 1} or is listed twice");
            }
        }

        reader.EnsureEnd();
        return new ShardSnapshotRecord(epoch, flushedLsn, ids);
    }
}
