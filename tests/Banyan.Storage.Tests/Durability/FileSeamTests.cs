using Banyan.Storage.Durability;

namespace Banyan.Storage.Tests.Durability;

/// <summary>
/// The durability kit's file seam (<see cref="FileSystem"/>, <see cref="FileAppender"/>,
/// <see cref="DurableDirectory"/>) and the power-loss file system the tests mount through it: what
/// survives a power cut is exactly what fsyncs made durable, in the strict POSIX sense.
/// </summary>
public sealed class FileSeamTests
{
    [Fact]
    public void Paths_go_to_the_real_file_system_unless_a_file_system_is_mounted_over_them()
    {
        using TempDirectory dir = new();
        string inside = Path.Combine(dir.Path, "shard", "wal", "x.wal");
        Assert.Same(FileSystem.Real, FileSystem.At(inside));
        using (PowerLossFileSystem mounted = PowerLossFileSystem.MountAt(Path.Combine(dir.Path, "shard")))
        {
            Assert.Same(mounted, FileSystem.At(inside));
            Assert.Same(mounted, FileSystem.At(Path.Combine(dir.Path, "shard")));
            Assert.Same(FileSystem.Real, FileSystem.At(Path.Combine(dir.Path, "shard-2", "x")));
            Assert.Same(FileSystem.Real, FileSystem.At(dir.Path));
            Assert.Throws<InvalidOperationException>(() => FileSystem.Mount(Path.Combine(dir.Path, "shard"), FileSystem.Real));
        }

        Assert.Same(FileSystem.Real, FileSystem.At(inside));
    }

    [Fact]
    public void File_appender_buffers_small_writes_and_tracks_the_position()
    {
        using TempDirectory dir = new();
        string path = Path.Combine(dir.Path, "f");
        using (FileAppender appender = new(FileSystem.Real.CreateFile(path, overwrite: false), bufferSize: 8))
        {
            appender.Write([1, 2, 3]);
            Assert.Equal(3, appender.Position);
            Assert.Equal(0, new FileInfo(path).Length); // still buffered
            appender.Write([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]); // larger than the buffer: straight through
            appender.Write([14]);
            Assert.Equal(14, appender.Position);
            appender.Flush(fsync: true);
            appender.Write([99]); // dropped: disposed without a flush
        }

        Assert.Equal(Enumerable.Range(1, 14).Select(i => (byte)i), File.ReadAllBytes(path));
    }

    [Fact]
    public void A_file_keeps_only_what_its_last_fsync_covered()
    {
        using TempDirectory dir = new();
        string path = Path.Combine(dir.Path, "f");
        PowerLossFileSystem fs = PowerLossFileSystem.MountAt(dir.Path);
        using (WritableFile file = fs.CreateFile(path, overwrite: false))
        {
            file.Write([1, 2, 3], 0);
            file.Sync();
            file.Write([4, 5], 3);
            fs.SyncDirectory(dir.Path);
        }

        Assert.Equal([1, 2, 3, 4, 5], File.ReadAllBytes(path)); // what the kernel holds
        fs.CutPower();
        fs.Dispose();
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Throws<PowerLossException>(() => fs.DeleteFile(path));
    }

    [Fact]
    public void Creations_and_renames_need_a_folder_fsync()
    {
        using TempDirectory dir = new();
        string a = Path.Combine(dir.Path, "a");
        string b = Path.Combine(dir.Path, "b");
        string c = Path.Combine(dir.Path, "c");
        using (PowerLossFileSystem fs = PowerLossFileSystem.MountAt(dir.Path))
        {
            using (WritableFile file = fs.CreateFile(a, overwrite: false))
            {
                file.Write([7], 0);
                file.Sync();
            }

            fs.SyncDirectory(dir.Path);
            fs.MoveFile(a, b, overwrite: false); // not fsynced into the folder
            using (WritableFile file = fs.CreateFile(c, overwrite: false))
            {
                file.Write([8], 0);
                file.Sync(); // its bytes are durable, its name is not
            }

            fs.CreateDirectory(Path.Combine(dir.Path, "d", "e"));
            fs.CutPower();
        }

        Assert.Equal(["a"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        Assert.Equal([7], File.ReadAllBytes(a));
    }

    [Fact]
    public void Durable_directories_and_deletions_survive_only_with_their_parents_fsync()
    {
        using TempDirectory dir = new();
        string kept = Path.Combine(dir.Path, "kept");
        string folder = Path.Combine(dir.Path, "x", "y");
        File.WriteAllBytes(kept, [1]); // before mounting: durable
        using (PowerLossFileSystem fs = PowerLossFileSystem.MountAt(dir.Path))
        {
            DurableDirectory.Create(folder);
            fs.DeleteFile(kept); // not fsynced: comes back
            fs.CutPower();
        }

        Assert.True(Directory.Exists(folder));
        Assert.True(File.Exists(kept));
    }

    [Fact]
    public void Torn_writes_keep_some_unsynced_sectors()
    {
        int kept = 0;
        for (int seed = 0; seed < 8; seed++)
        {
            using TempDirectory dir = new();
            string path = Path.Combine(dir.Path, "f");
            using (PowerLossFileSystem fs = PowerLossFileSystem.MountAt(dir.Path, seed, tornWrites: true))
            {
                using (WritableFile file = fs.CreateFile(path, overwrite: false))
                {
                    file.Write(new byte[512], 0);
                    file.Sync();
                    fs.SyncDirectory(dir.Path);
                    file.Write(Enumerable.Repeat((byte)9, 4 * 512).ToArray(), 512); // four sectors, never fsynced
                }

                fs.CutPower();
            }

            byte[] bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length >= 512 && bytes.AsSpan(0, 512).IndexOfAnyExcept((byte)0) < 0, $"seed {seed}: the fsynced sector changed");
            for (int sector = 1; sector * 512 < bytes.Length; sector++)
            {
                kept += bytes[sector * 512] == 9 ? 1 : 0;
            }
        }

        Assert.InRange(kept, 1, (8 * 4) - 1); // some sectors survived, not all
    }
}
