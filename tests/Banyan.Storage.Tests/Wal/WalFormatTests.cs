using Banyan.Storage.Wal;

namespace Banyan.Storage.Tests.Wal;

public sealed class WalFormatTests
{
    [Fact]
    // Checksums computed independently with a bitwise CRC-32C (polynomial 0x82F63B78) in Python.
    public void Header_golden_bytes()
    {
        byte[] header = new byte[WalFormat.HeaderSize];
        WalFormat.WriteHeader(header, 0x0102030405060708);
        Assert.Equal(Convert.FromHexString("4257414C" + "01000000" + "0807060504030201" + "F65BA8F5"), header);
        Assert.True(WalFormat.TryReadHeader(header, out long first, out _));
        Assert.Equal(0x0102030405060708, first);
    }

    [Fact]
    public void Record_golden_bytes()
    {
        byte[] record = new byte[WalFormat.RecordHeaderSize + 3];
        WalFormat.WriteRecord(record, 5, "abc"u8);
        Assert.Equal(Convert.FromHexString("03000000" + "F98ADC6C" + "0500000000000000" + "616263"), record);
    }

    [Fact]
    public void File_names_are_sixteen_hex_digits()
    {
        Assert.Equal("00000000000000ff.wal", WalFormat.FileName(255));
        Assert.True(WalFormat.TryParseFileName("00000000000000ff.wal", out long lsn));
        Assert.Equal(255, lsn);
        Assert.False(WalFormat.TryParseFileName("ff.wal", out _));
        Assert.False(WalFormat.TryParseFileName("00000000000000ff.tmp", out _));
    }

    [Fact]
    public void Damaged_header_is_rejected()
    {
        byte[] header = new byte[WalFormat.HeaderSize];
        WalFormat.WriteHeader(header, 7);
        for (int i = 0; i < header.Length; i++)
        {
            byte[] copy = (byte[])header.Clone();
            copy[i] ^= 0x10;
            Assert.False(WalFormat.TryReadHeader(copy, out _, out string? problem));
            Assert.NotNull(problem);
        }
    }
}
