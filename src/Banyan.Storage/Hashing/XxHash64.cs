using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Banyan.Storage.Hashing;

/// <summary>
/// xxHash64 (Yann Collet, XXH64 as specified in <c>xxhash_spec.md</c> v0.1.1): the 64-bit
/// non-cryptographic hash BanyanDB uses for series ids, shard routing and stream element ids.
/// </summary>
/// <remarks>
/// Use <see cref="Hash(ReadOnlySpan{byte}, ulong)"/> for one buffer, or an instance to feed the input
/// in pieces (<see cref="Append"/>, then <see cref="GetCurrentHash"/>); both give the same value.
/// The byte order of the input words is little-endian, as the specification requires.
/// </remarks>
public sealed class XxHash64
{
    private const ulong Prime1 = 11400714785074694791UL;
    private const ulong Prime2 = 14029467366897019727UL;
    private const ulong Prime3 = 1609587929392839161UL;
    private const ulong Prime4 = 9650029242287828579UL;
    private const ulong Prime5 = 2870177450012600261UL;
    private const int StripeSize = 32;

    private readonly ulong _seed;
    private readonly byte[] _pending = new byte[StripeSize];
    private ulong _acc1;
    private ulong _acc2;
    private ulong _acc3;
    private ulong _acc4;
    private int _pendingLength;
    private ulong _totalLength;

    /// <summary>Starts a streaming hash with <paramref name="seed"/> (BanyanDB uses 0).</summary>
    public XxHash64(ulong seed = 0)
    {
        _seed = seed;
        Reset();
    }

    /// <summary>Forgets all appended input; the instance can be reused for a new hash.</summary>
    public void Reset()
    {
        _acc1 = _seed + Prime1 + Prime2;
        _acc2 = _seed + Prime2;
        _acc3 = _seed;
        _acc4 = _seed - Prime1;
        _pendingLength = 0;
        _totalLength = 0;
    }

    /// <summary>Feeds <paramref name="data"/> into the running hash.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _totalLength += (ulong)data.Length;
        if (_pendingLength > 0)
        {
            int take = Math.Min(StripeSize - _pendingLength, data.Length);
            data[..take].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += take;
            data = data[take..];
            if (_pendingLength < StripeSize)
            {
                return;
            }

            ConsumeStripes(_pending);
            _pendingLength = 0;
        }

        int whole = data.Length - (data.Length % StripeSize);
        if (whole > 0)
        {
            ConsumeStripes(data[..whole]);
            data = data[whole..];
        }

        data.CopyTo(_pending);
        _pendingLength = data.Length;
    }

    /// <summary>The hash of everything appended since construction or <see cref="Reset"/>; does not change the state.</summary>
    public ulong GetCurrentHash()
    {
        ulong acc = _totalLength >= StripeSize ? Converge(_acc1, _acc2, _acc3, _acc4) : _seed + Prime5;
        acc += _totalLength;
        return Finish(acc, _pending.AsSpan(0, _pendingLength));
    }

    /// <summary>One-shot xxHash64 of <paramref name="data"/>.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        ulong length = (ulong)data.Length;
        ulong acc;
        if (data.Length >= StripeSize)
        {
            ulong a1 = seed + Prime1 + Prime2;
            ulong a2 = seed + Prime2;
            ulong a3 = seed;
            ulong a4 = seed - Prime1;
            do
            {
                a1 = Round(a1, BinaryPrimitives.ReadUInt64LittleEndian(data));
                a2 = Round(a2, BinaryPrimitives.ReadUInt64LittleEndian(data[8..]));
                a3 = Round(a3, BinaryPrimitives.ReadUInt64LittleEndian(data[16..]));
                a4 = Round(a4, BinaryPrimitives.ReadUInt64LittleEndian(data[24..]));
                data = data[StripeSize..];
            }
            while (data.Length >= StripeSize);
            acc = Converge(a1, a2, a3, a4);
        }
        else
        {
            acc = seed + Prime5;
        }

        acc += length;
        return Finish(acc, data);
    }

    private void ConsumeStripes(ReadOnlySpan<byte> data)
    {
        ulong a1 = _acc1, a2 = _acc2, a3 = _acc3, a4 = _acc4;
        while (data.Length >= StripeSize)
        {
            a1 = Round(a1, BinaryPrimitives.ReadUInt64LittleEndian(data));
            a2 = Round(a2, BinaryPrimitives.ReadUInt64LittleEndian(data[8..]));
            a3 = Round(a3, BinaryPrimitives.ReadUInt64LittleEndian(data[16..]));
            a4 = Round(a4, BinaryPrimitives.ReadUInt64LittleEndian(data[24..]));
            data = data[StripeSize..];
        }

        _acc1 = a1;
        _acc2 = a2;
        _acc3 = a3;
        _acc4 = a4;
    }

    private static ulong Converge(ulong a1, ulong a2, ulong a3, ulong a4)
    {
        ulong acc = BitOperations.RotateLeft(a1, 1) + BitOperations.RotateLeft(a2, 7)
            + BitOperations.RotateLeft(a3, 12) + BitOperations.RotateLeft(a4, 18);
        acc = MergeAccumulator(acc, a1);
        acc = MergeAccumulator(acc, a2);
        acc = MergeAccumulator(acc, a3);
        return MergeAccumulator(acc, a4);
    }

    private static ulong Finish(ulong acc, ReadOnlySpan<byte> tail)
    {
        while (tail.Length >= 8)
        {
            acc ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(tail));
            acc = (BitOperations.RotateLeft(acc, 27) * Prime1) + Prime4;
            tail = tail[8..];
        }

        if (tail.Length >= 4)
        {
            acc ^= BinaryPrimitives.ReadUInt32LittleEndian(tail) * Prime1;
            acc = (BitOperations.RotateLeft(acc, 23) * Prime2) + Prime3;
            tail = tail[4..];
        }

        foreach (byte b in tail)
        {
            acc ^= b * Prime5;
            acc = BitOperations.RotateLeft(acc, 11) * Prime1;
        }

        acc ^= acc >> 33;
        acc *= Prime2;
        acc ^= acc >> 29;
        acc *= Prime3;
        acc ^= acc >> 32;
        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Round(ulong acc, ulong lane)
    {
        acc += lane * Prime2;
        acc = BitOperations.RotateLeft(acc, 31);
        return acc * Prime1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MergeAccumulator(ulong acc, ulong accN)
    {
        acc ^= Round(0, accN);
        return (acc * Prime1) + Prime4;
    }
}
