using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Tests.Snapshots;

public sealed class PartHandleTests
{
    private sealed class CountingPart : IDisposable
    {
        public int Disposed { get; private set; }

        public void Dispose() => Disposed++;
    }

    [Fact]
    public void Obsolete_folder_is_deleted_only_after_the_last_reader_releases()
    {
        using TempDirectory dir = new();
        string folder = Path.Combine(dir.Path, "0000000000000001");
        Directory.CreateDirectory(folder);
        CountingPart part = new();
        PartHandle<CountingPart> handle = new(1, part, folder);
        handle.Acquire(); // a reader
        handle.MarkObsolete();
        handle.Release(); // the live set lets go
        Assert.True(Directory.Exists(folder));
        Assert.Equal(0, part.Disposed);
        handle.Release(); // the reader finishes
        Assert.False(Directory.Exists(folder));
        Assert.Equal(1, part.Disposed);
        Assert.Throws<InvalidOperationException>(handle.Acquire);
    }

    [Fact]
    public void Live_part_keeps_its_folder_when_closed()
    {
        using TempDirectory dir = new();
        string folder = Path.Combine(dir.Path, "0000000000000002");
        Directory.CreateDirectory(folder);
        PartHandle<CountingPart> handle = new(2, new CountingPart(), folder);
        handle.Release();
        Assert.True(Directory.Exists(folder));
    }
}
