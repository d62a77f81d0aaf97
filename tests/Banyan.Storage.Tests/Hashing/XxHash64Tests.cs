using System.IO.Hashing;
using System.Text;

namespace Banyan.Storage.Tests.Hashing;

// Series ids, shard routing and stream element ids are xxHash64 values (System.IO.Hashing since it
// replaced the engine's own implementation). These vectors pin the exact function they depend on.
public sealed class XxHash64Tests
{
    // Published XXH64 values (xxHash README / spec examples) plus values cross-checked against the
    // reference C library (libxxhash 0.8.1) for inputs spanning the 32-byte stripe boundary.
    public static TheoryData<string, ulong, ulong> TextVectors => new()
    {
        { string.Empty, 0UL, 0xEF46DB3751D8E999UL },
        { string.Empty, 1UL, 0xD5AFBA1336A3BE4BUL },
        { "a", 0UL, 0xD24EC4F1A98C6E5BUL },
        { "abc", 0UL, 0x44BC2CF5AD770999UL },
        { "123456789", 0UL, 0x8CB841DB40E6AE83UL },
        { "Nobody inspects the spammish repetition", 0UL, 0xFBCEA83C8A378BF1UL },
        { "default|sw|0", 0UL, 0x0978DF79CF4ED409UL },
    };

    [Theory]
    [MemberData(nameof(TextVectors))]
    public void OneShotMatchesReferenceVectors(string input, ulong seed, ulong expected)
    {
        Assert.Equal(expected, XxHash64.HashToUInt64(Encoding.ASCII.GetBytes(input), (long)seed));
    }

    [Theory]
    [InlineData(0UL, 0x6AC1E58032166597UL)]
    [InlineData(0x9E3779B1UL, 0x8832442A88284F11UL)]
    public void HundredByteSequenceMatchesReferenceLibrary(ulong seed, ulong expected)
    {
        byte[] data = new byte[100];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)i;
        }

        Assert.Equal(expected, XxHash64.HashToUInt64(data, (long)seed));
    }

    [Fact]
    public void StreamingInAnyPiecesEqualsOneShot()
    {
        var random = new Random(20261121);
        for (int round = 0; round < 300; round++)
        {
            byte[] data = new byte[random.Next(0, 300)];
            random.NextBytes(data);
            ulong seed = (ulong)random.NextInt64();
            var streaming = new XxHash64((long)seed);
            int pos = 0;
            while (pos < data.Length)
            {
                int take = Math.Min(random.Next(0, 40), data.Length - pos);
                streaming.Append(data.AsSpan(pos, take));
                pos += take;
            }

            Assert.True(XxHash64.HashToUInt64(data, (long)seed) == streaming.GetCurrentHashAsUInt64(), $"round {round}, length {data.Length}, seed 20261121");
        }
    }

    [Fact]
    public void ResetStartsOver()
    {
        var h = new XxHash64();
        h.Append("garbage"u8);
        h.Reset();
        h.Append("abc"u8);
        Assert.Equal(0x44BC2CF5AD770999UL, h.GetCurrentHashAsUInt64());
    }
}
