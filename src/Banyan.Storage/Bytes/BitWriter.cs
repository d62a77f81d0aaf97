namespace Banyan.Storage.Bytes;

/// <summary>Writes bits most-significant first into a <see cref="ByteBuffer"/> (the Gorilla XOR float encoding uses it).</summary>
public struct BitWriter
{
    private readonly ByteBuffer _output;
    private ulong _accumulator;
    private int _bits;

    /// <summary>Starts writing at the end of <paramref name="output"/>.</summary>
    public BitWriter(ByteBuffer output)
    {
        _output = output;
        _accumulator = 0;
        _bits = 0;
    }

    /// <summary>Writes the low <paramref name="count"/> (0..64) bits of <paramref name="value"/>.</summary>
    public void Write(ulong value, int count)
    {
        while (count > 0)
        {
            int take = Math.Min(count, 8 - _bits);
            ulong chunk = (value >> (count - take)) & ((1UL << take) - 1);
            _accumulator = (_accumulator << take) | chunk;
            _bits += take;
            count -= take;
            if (_bits == 8)
            {
                _output.WriteByte((byte)_accumulator);
                _accumulator = 0;
                _bits = 0;
            }
        }
    }

    /// <summary>Writes one bit.</summary>
    public void WriteBit(bool bit) => Write(bit ? 1UL : 0UL, 1);

    /// <summary>Pads the last byte with zero bits.</summary>
    public void Flush()
    {
        if (_bits > 0)
        {
            _output.WriteByte((byte)(_accumulator << (8 - _bits)));
            _accumulator = 0;
            _bits = 0;
        }
    }
}
