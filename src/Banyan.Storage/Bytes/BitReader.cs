namespace Banyan.Storage.Bytes;

/// <summary>Reads bits most-significant first from a span; running past the end raises the corruption exception.</summary>
public ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private long _bitPosition;

    /// <summary>Reads <paramref name="data"/>, reporting errors at <paramref name="baseOffset"/> + byte position.</summary>
    public BitReader(ReadOnlySpan<byte> data, int baseOffset)
    {
        _data = data;
        _baseOffset = baseOffset;
        _bitPosition = 0;
    }

    /// <summary>Bytes touched so far (rounded up).</summary>
    public readonly int BytesConsumed => (int)((_bitPosition + 7) / 8);

    /// <summary>Reads <paramref name="count"/> (0..64) bits.</summary>
    public ulong Read(int count)
    {
        if (_bitPosition + count > (long)_data.Length * 8)
        {
            EncodingCorruption.Throw(_baseOffset + (_bitPosition / 8), "bit stream ends early");
        }

        ulong result = 0;
        while (count > 0)
        {
            int byteIndex = (int)(_bitPosition >> 3);
            int bitInByte = (int)(_bitPosition & 7);
            int available = 8 - bitInByte;
            int take = Math.Min(available, count);
            int shift = available - take;
            ulong chunk = (ulong)((_data[byteIndex] >> shift) & ((1 << take) - 1));
            result = (result << take) | chunk;
            _bitPosition += take;
            count -= take;
        }

        return result;
    }

    /// <summary>Reads one bit.</summary>
    public bool ReadBit() => Read(1) != 0;
}
