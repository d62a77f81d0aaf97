namespace Banyan.Grains;

/// <summary>
/// FNV-1a over strings. string.GetHashCode is randomized per process, so placement and the
/// membership ring need this stable function to agree across silos.
/// </summary>
internal static class StableHash
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static uint Of(string a, string b)
    {
        uint hash = Mix(OffsetBasis, a);
        hash = (hash ^ '/') * Prime;
        return Finalize(Mix(hash, b));
    }

    public static uint Of(string a) => Finalize(Mix(OffsetBasis, a));

    private static uint Mix(uint hash, string s)
    {
        foreach (char c in s)
        {
            hash = (hash ^ (byte)c) * Prime;
            hash = (hash ^ (byte)(c >> 8)) * Prime;
        }

        return hash;
    }

    // FNV's low bits are weak for short inputs; a murmur-style finalizer spreads them over the ring.
    private static uint Finalize(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
