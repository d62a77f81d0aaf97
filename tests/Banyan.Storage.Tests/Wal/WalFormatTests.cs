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
        string fixedPart = "4257414C" + "02000000" + "0807060504030201" + "48000000" + "E69404BF";
        string emptySlot = "4800000000000000" + "0707060504030201" + "00000000" + "8C848216"; // end 72, last LSN first - 1
        Assert.Equal(Convert.FromHexString(fixedPart + emptySlot + emptySlot), header);
        Assert.True(WalFormat.TryReadHeader(header, out WalFileHeader parsed, out _, out _));
        Assert.Equal(new WalFileHeader(2, 0x0102030405060708, 72, WalCommitMark.Empty(0x0102030405060708), 0, null), parsed);
    }

    [Fact]
    public void Commit_slot_golden_bytes()
    {
        byte[] slot = new byte[WalFormat.CommitSlotSize];
        WalFormat.WriteCommitSlot(slot, 5, new WalCommitMark(91, 5, Sealed: false));
        Assert.Equal(Convert.FromHexString("5B00000000000000" + "0500000000000000" + "00000000" + "7FCF1B53"), slot);
        WalFormat.WriteCommitSlot(slot, 5, new WalCommitMark(91, 5, Sealed: true));
        Assert.Equal(Convert.FromHexString("5B00000000000000" + "0500000000000000" + "01000000" + "C7655E8E"), slot);
    }

    [Fact]
    // Version 1 files (no commit slots) are still read: the bytes version 1 wrote.
    public void Version1_header_golden_bytes_are_still_read()
    {
        byte[] header = Convert.FromHexString("4257414C" + "01000000" + "0807060504030201" + "F65BA8F5");
        Assert.True(WalFormat.TryReadHeader(header, out WalFileHeader parsed, out string? problem, out _), problem);
        Assert.Equal(1u, parsed.Version);
        Assert.Equal(0x0102030405060708, parsed.FirstLsn);
        Assert.Equal(WalFormat.Version1HeaderSize, parsed.Size);
        Assert.False(parsed.HasCommitSlots);
    }

    [Fact]
    public void The_newer_valid_commit_slot_wins()
    {
        byte[] header = new byte[WalFormat.HeaderSize];
        WalFormat.WriteHeader(header, 10);
        WalFormat.WriteCommitSlot(header.AsSpan(WalFormat.CommitSlotOffset(1), WalFormat.CommitSlotSize), 10, new WalCommitMark(100, 10, false));
        Assert.True(WalFormat.TryReadHeader(header, out WalFileHeader parsed, out _, out _));
        Assert.Equal((new WalCommitMark(100, 10, false), 1), (parsed.Commit, parsed.CommitSlot));

        // A slot copied from another file does not validate: its checksum covers the file's first LSN.
        WalFormat.WriteCommitSlot(header.AsSpan(WalFormat.CommitSlotOffset(0), WalFormat.CommitSlotSize), 11, new WalCommitMark(200, 12, false));
        Assert.True(WalFormat.TryReadHeader(header, out parsed, out _, out _));
        Assert.Equal(new WalCommitMark(100, 10, false), parsed.Commit);
        Assert.NotNull(parsed.DamagedSlot);
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
    public void Damaged_header_is_rejected_and_a_damaged_commit_slot_falls_back_to_the_other()
    {
        byte[] header = new byte[WalFormat.HeaderSize];
        WalFormat.WriteHeader(header, 7);
        WalFormat.WriteCommitSlot(header.AsSpan(WalFormat.CommitSlotOffset(1), WalFormat.CommitSlotSize), 7, new WalCommitMark(120, 8, false));
        for (int i = 0; i < header.Length; i++)
        {
            byte[] copy = (byte[])header.Clone();
            copy[i] ^= 0x10;
            bool valid = WalFormat.TryReadHeader(copy, out WalFileHeader parsed, out string? problem, out _);
            if (i < WalFormat.FixedHeaderSize)
            {
                Assert.False(valid, $"flip at {i}");
                Assert.NotNull(problem);
            }
            else
            {
                Assert.True(valid, $"flip at {i}: {problem}");
                Assert.NotNull(parsed.DamagedSlot);
                int damaged = i < WalFormat.CommitSlotOffset(1) ? 0 : 1;
                Assert.Equal(1 - damaged, parsed.CommitSlot);
                Assert.Equal(damaged == 0 ? new WalCommitMark(120, 8, false) : WalCommitMark.Empty(7), parsed.Commit);
            }
        }

        // Both slots damaged: the header is rejected, at the first slot.
        byte[] both = (byte[])header.Clone();
        both[WalFormat.CommitSlotOffset(0)] ^= 1;
        both[WalFormat.CommitSlotOffset(1)] ^= 1;
        Assert.False(WalFormat.TryReadHeader(both, out WalFileHeader _, out _, out long offset));
        Assert.Equal(WalFormat.CommitSlotOffset(0), offset);
    }
}
