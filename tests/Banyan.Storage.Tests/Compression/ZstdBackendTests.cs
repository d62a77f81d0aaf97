using Banyan.Storage.Bytes;
using Banyan.Storage.Compression;

namespace Banyan.Storage.Tests.Compression;

/// <summary>
/// The engine prefers the system's libzstd and falls back to ZstdSharp.Port where libzstd is missing,
/// so a part written on one machine must read on another: each back end reads the other's frames,
/// and both reject damaged payloads the same way.
/// </summary>
public sealed class ZstdBackendTests
{
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Each_back_end_reads_the_frames_of_the_other(bool managedWriter, bool managedReader)
    {
        ZstdBackend writer = managedWriter ? ZstdBackend.Managed : ZstdBackend.Native;
        ZstdBackend reader = managedReader ? ZstdBackend.Managed : ZstdBackend.Native;
        var random = new Random(3);
        foreach (int size in new[] { 256, 1000, 100_000 })
        {
            byte[] input = new byte[size];
            for (int i = 0; i < size; i++)
            {
                input[i] = (byte)(random.Next(32) == 0 ? random.Next(256) : i % 11);
            }

            foreach (int level in new[] { 1, 3 })
            {
                using var output = new ByteBuffer();
                int written = BlockCompressor.CompressZstd(writer, level, input, output);
                output.Advance(written);
                Assert.True(written < size);
                byte[] back = new byte[size];
                Assert.True(BlockCompressor.TryDecompressZstd(reader, output.WrittenSpan, back));
                Assert.Equal(input, back);
                Assert.False(BlockCompressor.TryDecompressZstd(reader, output.WrittenSpan, new byte[size + 1]));
                Assert.False(BlockCompressor.TryDecompressZstd(reader, output.WrittenSpan[..^1], back));
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_bytes_never_pass_as_a_payload(bool managed)
    {
        ZstdBackend backend = managed ? ZstdBackend.Managed : ZstdBackend.Native;
        var random = new Random(4);
        byte[] destination = new byte[512];
        for (int round = 0; round < 500; round++)
        {
            byte[] garbage = new byte[random.Next(0, 200)];
            random.NextBytes(garbage);
            Assert.False(BlockCompressor.TryDecompressZstd(backend, garbage, destination));
        }
    }
}
