namespace Banyan.Tests.Shared.Writes;

/// <summary>
/// Damaged copies of an encoded message for the tests that check what the write path does with bytes it did not make:
/// one byte replaced, one bit flipped, the end cut off, or a prefix spliced onto a suffix from elsewhere in the message.
/// </summary>
public static class WireCorruption
{
    /// <summary>One damaged copy of <paramref name="original"/>, the damage chosen by <paramref name="random"/>.</summary>
    public static byte[] Corrupt(Random random, byte[] original)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(original);
        byte[] bytes = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 1:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 2:
                return bytes[..random.Next(bytes.Length)];
            default:
                int cut = random.Next(bytes.Length);
                return [.. bytes[..cut], .. original[random.Next(original.Length)..]];
        }
    }
}
