namespace Banyan.Benchmarks.Load;

/// <summary>
/// CPython's <c>random.Random(seed).random()</c> for a non-negative integer seed below 2^64: the Mersenne Twister
/// MT19937 seeded with <c>init_by_array</c> over the seed's 32-bit words (least significant first), and a double
/// built from two draws (27 + 26 bits). gen.py uses nothing else, so this reproduces its values exactly.
/// </summary>
/// <remarks>Written from the published MT19937 algorithm (Matsumoto and Nishimura, 1998) and CPython's documented seeding.</remarks>
public sealed class PythonRandom
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908b0dfU;
    private const uint UpperMask = 0x80000000U;
    private const uint LowerMask = 0x7fffffffU;

    private readonly uint[] _state = new uint[N];
    private int _index;

    /// <summary>The generator <c>random.Random(seed)</c> makes.</summary>
    public PythonRandom(ulong seed)
    {
        uint low = (uint)seed;
        uint high = (uint)(seed >> 32);
        uint[] key = high == 0 ? [low] : [low, high];
        InitByArray(key);
    }

    /// <summary>The next double in [0, 1), as <c>random.random()</c>.</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5;
        uint b = NextUInt32() >> 6;
        return ((a * 67108864.0) + b) * (1.0 / 9007199254740992.0);
    }

    /// <summary>The next 32-bit output of the twister.</summary>
    public uint NextUInt32()
    {
        if (_index >= N)
        {
            Twist();
        }

        uint y = _state[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680U;
        y ^= (y << 15) & 0xefc60000U;
        y ^= y >> 18;
        return y;
    }

    private void InitGenrand(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < N; i++)
        {
            _state[i] = (1812433253U * (_state[i - 1] ^ (_state[i - 1] >> 30))) + (uint)i;
        }

        _index = N;
    }

    private void InitByArray(uint[] key)
    {
        InitGenrand(19650218U);
        int i = 1;
        int j = 0;
        for (int k = Math.Max(N, key.Length); k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1664525U)) + key[j] + (uint)j;
            i++;
            j++;
            if (i >= N)
            {
                _state[0] = _state[N - 1];
                i = 1;
            }

            if (j >= key.Length)
            {
                j = 0;
            }
        }

        for (int k = N - 1; k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1566083941U)) - (uint)i;
            i++;
            if (i >= N)
            {
                _state[0] = _state[N - 1];
                i = 1;
            }
        }

        _state[0] = 0x80000000U;
        _index = N;
    }

    private void Twist()
    {
        for (int k = 0; k < N; k++)
        {
            uint y = (_state[k] & UpperMask) | (_state[(k + 1) % N] & LowerMask);
            uint next = _state[(k + M) % N] ^ (y >> 1);
            _state[k] = (y & 1) == 0 ? next : next ^ MatrixA;
        }

        _index = 0;
    }
}
