using Banyan.Storage.Bytes;
using Banyan.Storage.Durability;

namespace Banyan.Storage.Tests.Durability;

/// <summary>The durability kit every on-disk writer uses: atomic files and folders, the header, the footer, hex names.</summary>
public sealed class DurabilityKitTests
{
    [Fact]
    public void Atomic_write_replaces_the_whole_file_and_leaves_no_temp()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "a.bin");
        AtomicFile.Write(path, [1, 2, 3]);
        AtomicFile.Write(path, [4, 5]);
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
        Assert.Throws<IOException>(() => AtomicFile.Write(path, [6], overwrite: false));
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
    }

    [Fact]
    public void Leftover_temp_files_and_folders_are_deleted()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "x.snp.tmp"), "half");
        Directory.CreateDirectory(Path.Combine(dir.Path, "0000000000000001.tmp"));
        File.WriteAllText(Path.Combine(dir.Path, "keep.snp"), "whole");
        Assert.Equal(2, AtomicFile.DeleteLeftovers(dir.Path));
        Assert.Equal(["keep.snp"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Staging_directory_appears_only_on_commit()
    {
        using var dir = new TempDirectory();
        string final = Path.Combine(dir.Path, "part");
        using (var staging = new StagingDirectory(final))
        {
            File.WriteAllText(staging.PathOf("f"), "x");
            Assert.False(Directory.Exists(final));
            staging.Commit();
        }

        Assert.Equal("x", File.ReadAllText(Path.Combine(final, "f")));
        Assert.False(Directory.Exists(final + AtomicFile.TempSuffix));
        Assert.Throws<IOException>(() => new StagingDirectory(final));

        string abandoned = Path.Combine(dir.Path, "abandoned");
        using (var staging = new StagingDirectory(abandoned))
        {
            File.WriteAllText(staging.PathOf("f"), "x");
        }

        Assert.False(Directory.Exists(abandoned));
        Assert.False(Directory.Exists(abandoned + AtomicFile.TempSuffix));
    }

    [Fact]
    public void Header_is_magic_then_u32_version_and_rejects_what_it_does_not_read()
    {
        uint magic = FileHeader.Magic("BSNP");
        Assert.Equal(0x504E5342u, magic);
        using var buffer = new ByteBuffer();
        FileHeader.Write(buffer, magic, 2);
        Assert.Equal("42534E5002000000", Convert.ToHexString(buffer.WrittenSpan));
        Assert.Equal(2u, FileHeader.Read(buffer.WrittenSpan, "f", magic, 1, 2));

        StorageCorruptionException version = Assert.Throws<StorageCorruptionException>(() => FileHeader.Read(buffer.WrittenSpan, "f", magic, 1, 1));
        Assert.Equal(4, version.Offset);
        StorageCorruptionException wrongMagic = Assert.Throws<StorageCorruptionException>(() => FileHeader.Read(buffer.WrittenSpan, "f", FileHeader.Magic("BNIM"), 1, 2));
        Assert.Equal(0, wrongMagic.Offset);
        StorageCorruptionException shortFile = Assert.Throws<StorageCorruptionException>(() => FileHeader.Read(buffer.WrittenSpan[..7], "f", magic, 1, 2));
        Assert.Equal("f", shortFile.FilePath);
        Assert.Throws<ArgumentException>(() => FileHeader.Magic("BSN"));
    }

    [Fact]
    public void Footer_catches_every_flipped_bit_and_every_truncation()
    {
        using var buffer = new ByteBuffer();
        buffer.Write("some file content"u8);
        ChecksumFooter.Append(buffer);
        byte[] file = buffer.ToArray();
        Assert.Equal("some file content"u8.ToArray(), ChecksumFooter.Verify(file, "f").ToArray());

        byte[] sealedCopy = (byte[])file.Clone();
        sealedCopy.AsSpan(^4).Clear();
        ChecksumFooter.Seal(sealedCopy);
        Assert.Equal(file, sealedCopy);

        for (int bit = 0; bit < file.Length * 8; bit++)
        {
            byte[] damaged = (byte[])file.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => ChecksumFooter.Verify(damaged, "f"));
            Assert.Equal(file.Length - 4, e.Offset);
        }

        for (int length = 0; length < file.Length; length++)
        {
            Assert.Throws<StorageCorruptionException>(() => ChecksumFooter.Verify(file.AsSpan(0, length), "f"));
        }
    }

    [Fact]
    public void Hex_names_are_sixteen_lower_case_digits()
    {
        Assert.Equal("000000000000002a.snp", HexFileName.Format(42L, ".snp"));
        Assert.Equal("ffffffffffffffff", HexFileName.Format(ulong.MaxValue));
        Assert.True(HexFileName.TryParse("000000000000002a.snp", ".snp", out long n));
        Assert.Equal(42, n);
        Assert.True(HexFileName.TryParse("ffffffffffffffff", string.Empty, out ulong u));
        Assert.Equal(ulong.MaxValue, u);
        Assert.False(HexFileName.TryParse("000000000000002a.snp", ".imf", out long _));
        Assert.False(HexFileName.TryParse("00000000000002a.snp", ".snp", out long _));
        Assert.False(HexFileName.TryParse("000000000000002g.snp", ".snp", out long _));
    }
}
