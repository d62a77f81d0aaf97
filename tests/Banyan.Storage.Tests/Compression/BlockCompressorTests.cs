using Banyan.Storage.Bytes;
using Banyan.Storage.Compression;

namespace Banyan.Storage.Tests.Compression;

public sealed class BlockCompressorTests
{
    [Theory]
    [InlineData(CompressionCodec.Zstd)]
    [InlineData(CompressionCodec.Lz4)]
    [InlineData(CompressionCodec.None)]
    public void Round_trips_and_stores_tiny_or_incompressible_payloads_raw(CompressionCodec codec)
    {
        var random = new Random(1);
        foreach (int size in new[] { 0, 1, 63, 64, 1000, 100_000 })
        {
            byte[] compressible = new byte[size];
            for (int i = 0; i < size; i++)
            {
                compressible[i] = (byte)(i % 7);
            }

            byte[] noise = new byte[size];
            random.NextBytes(noise);
            foreach (byte[] input in new[] { compressible, noise })
            {
                using var output = new ByteBuffer();
                CompressionCodec used = BlockCompressor.Compress(codec, 3, input, output);
                if (size < BlockCompressor.MinCompressSize || ReferenceEquals(input, noise) || codec == CompressionCodec.None)
                {
                    Assert.Equal(CompressionCodec.None, used);
                }
                else
                {
                    Assert.Equal(codec, used);
                    Assert.True(output.Length < size);
                }

                byte[] back = new byte[size];
                BlockCompressor.Decompress(used, output.WrittenSpan, back);
                Assert.Equal(input, back);
            }
        }
    }

    [Theory]
    [InlineData(CompressionCodec.Zstd)]
    [InlineData(CompressionCodec.Lz4)]
    public void Bad_payloads_only_raise_the_corruption_exception(CompressionCodec codec)
    {
        var random = new Random(2);
        byte[] input = new byte[5000];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (byte)(i % 13);
        }

        using var output = new ByteBuffer();
        Assert.Equal(codec, BlockCompressor.Compress(codec, 3, input, output));
        byte[] good = output.WrittenSpan.ToArray();
        for (int trial = 0; trial < 500; trial++)
        {
            byte[] bad = trial % 2 == 0 ? good[..random.Next(good.Length)] : (byte[])good.Clone();
            if (trial % 2 == 1)
            {
                bad[random.Next(bad.Length)] ^= (byte)(1 << random.Next(8));
            }

            byte[] back = new byte[input.Length + random.Next(-2, 3)];
            try
            {
                BlockCompressor.Decompress(codec, bad, back);
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }

    [Fact]
    public void Contexts_are_per_thread_and_safe_in_parallel()
    {
        byte[] input = new byte[20000];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (byte)(i * 31 % 251);
        }

        Parallel.For(0, 64, _ =>
        {
            using var output = new ByteBuffer();
            CompressionCodec used = BlockCompressor.Compress(CompressionCodec.Zstd, 1, input, output);
            byte[] back = new byte[input.Length];
            BlockCompressor.Decompress(used, output.WrittenSpan, back);
            Assert.Equal(input, back);
        });
    }
}
