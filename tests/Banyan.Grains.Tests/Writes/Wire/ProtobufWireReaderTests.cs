using Banyan.Grains.Writes.Wire;
using Google.Protobuf;

namespace Banyan.Grains.Tests.Writes.Wire;

/// <summary>
/// <see cref="ProtobufWireReader"/> against Google.Protobuf's own encoder and reader: one-byte and longer tags and
/// varints read the same, and what it refuses (cut, overflowing, groups, field 0) it refuses whichever path reads it.
/// </summary>
public sealed class ProtobufWireReaderTests
{
    private static byte[] Encoded(Action<CodedOutputStream> write)
    {
        using MemoryStream bytes = new();
        using (CodedOutputStream output = new(bytes, leaveOpen: true))
        {
            write(output);
        }

        return bytes.ToArray();
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(127UL)]
    [InlineData(128UL)]
    [InlineData(300UL)]
    [InlineData(16_383UL)]
    [InlineData(16_384UL)]
    [InlineData(uint.MaxValue)]
    [InlineData(1UL << 32)]
    [InlineData(1UL << 63)]
    [InlineData(ulong.MaxValue)]
    public void Varints_read_as_encoded_and_a_cut_one_is_refused(ulong value)
    {
        byte[] bytes = Encoded(o => o.WriteUInt64(value));
        ProtobufWireReader reader = new(bytes);
        Assert.True(reader.TryReadVarint(out ulong read));
        Assert.Equal(value, read);
        Assert.Equal(bytes.Length, reader.Position);

        ProtobufWireReader cut = new(bytes.AsSpan(0, bytes.Length - 1));
        Assert.False(cut.TryReadVarint(out _));
    }

    [Fact]
    public void A_varint_overflowing_64_bits_is_refused()
    {
        byte[] overflow = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02];
        Assert.False(new ProtobufWireReader(overflow).TryReadVarint(out _));
        byte[] eleven = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        Assert.False(new ProtobufWireReader(eleven).TryReadVarint(out _));
    }

    [Theory]
    [InlineData(1, WireFormat.WireType.Varint)]
    [InlineData(2, WireFormat.WireType.LengthDelimited)]
    [InlineData(15, WireFormat.WireType.Fixed64)]
    [InlineData(16, WireFormat.WireType.Fixed32)]
    [InlineData(2_047, WireFormat.WireType.LengthDelimited)]
    [InlineData(2_048, WireFormat.WireType.Varint)]
    [InlineData(536_870_911, WireFormat.WireType.LengthDelimited)]
    public void Tags_read_as_encoded(int field, WireFormat.WireType wireType)
    {
        byte[] bytes = Encoded(o => o.WriteTag(field, wireType));
        ProtobufWireReader reader = new(bytes);
        Assert.True(reader.TryReadTag(out int readField, out int readWireType));
        Assert.Equal(field, readField);
        Assert.Equal((int)wireType, readWireType);
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Theory]
    [InlineData(1, WireFormat.WireType.StartGroup)]
    [InlineData(1, WireFormat.WireType.EndGroup)]
    [InlineData(20, WireFormat.WireType.StartGroup)]
    [InlineData(0, WireFormat.WireType.Varint)]
    [InlineData(0, WireFormat.WireType.LengthDelimited)]
    public void Groups_and_field_zero_are_refused(int field, WireFormat.WireType wireType)
    {
        byte[] bytes = Encoded(o => o.WriteTag(field, wireType));
        Assert.False(new ProtobufWireReader(bytes).TryReadTag(out _, out _));
    }

    [Fact]
    public void Random_bytes_read_as_a_varint_agree_with_google_protobuf()
    {
        Random random = new(17);
        byte[] buffer = new byte[12];
        int vouched = 0;
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(1, buffer.Length + 1);
            random.NextBytes(buffer.AsSpan(0, length));
            byte[] bytes = buffer[..length];
            ProtobufWireReader reader = new(bytes);
            if (!reader.TryReadVarint(out ulong value))
            {
                continue;
            }

            vouched++;
            CodedInputStream input = new(bytes);
            Assert.Equal(input.ReadUInt64(), value);
            Assert.Equal(input.Position, reader.Position);
        }

        Assert.True(vouched > 1_000, $"only {vouched} of 20,000 random inputs were read as varints");
    }

    // One-byte lengths (below 128) take the inlined path, longer ones the general one: both read what the encoder wrote,
    // and a value cut by one byte is refused by either.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(300)]
    public void Length_delimited_values_read_as_encoded_and_a_cut_one_is_refused(int length)
    {
        byte[] value = [.. Enumerable.Range(0, length).Select(i => (byte)i)];
        byte[] bytes = Encoded(o => o.WriteBytes(ByteString.CopyFrom(value)));
        ProtobufWireReader reader = new(bytes);
        Assert.True(reader.TryReadLengthDelimited(out int start, out int read));
        Assert.Equal(value, bytes.AsSpan(start, read).ToArray());
        Assert.True(reader.AtEnd);
        Assert.False(new ProtobufWireReader(bytes.AsSpan(0, bytes.Length - 1)).TryReadLengthDelimited(out _, out _));
    }
}
