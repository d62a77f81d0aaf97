using Banyan.Storage.Checksums;

namespace Banyan.Storage.Tests.Checksums;

public sealed class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Matches_reference_values(string input, uint expected)
    {
        Assert.Equal(expected, Crc32C.Compute(System.Text.Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public void Incremental_equals_one_shot()
    {
        Random random = new(12345);
        byte[] data = new byte[1000];
        random.NextBytes(data);
        for (int split = 0; split <= data.Length; split += 37)
        {
            uint state = Crc32C.Append(Crc32C.Start, data.AsSpan(0, split));
            state = Crc32C.Append(state, data.AsSpan(split));
            Assert.Equal(Crc32C.Compute(data), Crc32C.Finish(state));
        }
    }

    [Fact]
    public void Any_single_bit_flip_changes_the_checksum()
    {
        byte[] data = System.Text.Encoding.ASCII.GetBytes("banyan block payload");
        uint original = Crc32C.Compute(data);
        for (int bit = 0; bit < data.Length * 8; bit++)
        {
            data[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(original, Crc32C.Compute(data));
            data[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }
}
