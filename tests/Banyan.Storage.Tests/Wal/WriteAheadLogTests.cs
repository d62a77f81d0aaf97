using System.Buffers.Binary;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Tests.Wal;

public sealed class WriteAheadLogTests
{
    private static byte[] Payload(long value, int size)
    {
        byte[] bytes = new byte[Math.Max(size, 8)];
        new Random((int)value).NextBytes(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static List<(long Lsn, byte[] Payload)> ReadAll(WriteAheadLog wal, long afterLsn = 0)
    {
        List<(long, byte[])> records = [];
        wal.Replay(afterLsn, (lsn, payload) => records.Add((lsn, payload.ToArray())));
        return records;
    }

    [Fact]
    public void Appended_records_replay_in_order_after_reopen()
    {
        using TempDirectory dir = new();
        List<byte[]> written = [];
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { MaxFileSize = 4096 }))
        {
            for (int i = 0; i < 200; i++)
            {
                byte[] payload = Payload(i, i % 50);
                written.Add(payload);
                Assert.Equal(i + 1, wal.Append(payload));
            }

            Assert.True(wal.FileCount > 1, "small MaxFileSize must rotate files");
        }

        using WriteAheadLog reopened = WriteAheadLog.Open(dir.Path, new WalOptions { MaxFileSize = 4096 });
        Assert.Equal(WalRecoveryReport.Clean, reopened.Recovery);
        List<(long Lsn, byte[] Payload)> records = ReadAll(reopened);
        Assert.Equal(200, records.Count);
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(i + 1, records[i].Lsn);
            Assert.Equal(written[i], records[i].Payload);
        }

        Assert.Equal(201, reopened.Append(Payload(1, 1)));
        Assert.Equal(100, ReadAll(reopened, 101).Count);
    }

    [Fact]
    public void Truncate_deletes_files_wholly_below_the_lsn_and_keeps_lsns_increasing()
    {
        using TempDirectory dir = new();
        WalOptions options = new() { MaxFileSize = 1024 };
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path, options))
        {
            for (int i = 0; i < 100; i++)
            {
                wal.Append(Payload(i, 40));
            }

            int before = wal.FileCount;
            wal.Truncate(50);
            Assert.True(wal.FileCount < before);
            List<(long Lsn, byte[] Payload)> left = ReadAll(wal);
            Assert.True(left[0].Lsn <= 51, "records above the truncation LSN must stay");
            Assert.Equal(100, left[^1].Lsn);

            wal.Truncate(100);
            Assert.Empty(ReadAll(wal));
            Assert.Equal(1, wal.FileCount);
        }

        using WriteAheadLog reopened = WriteAheadLog.Open(dir.Path, options);
        Assert.Equal(101, reopened.NextLsn);
    }

    [Fact]
    public void Minimum_next_lsn_applies_to_an_empty_directory()
    {
        using TempDirectory dir = new();
        using WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { MinimumNextLsn = 1000 });
        Assert.Equal(1000, wal.Append("x"u8));
    }

    [Fact]
    public async Task Concurrent_writers_share_fsyncs_and_get_unique_lsns()
    {
        using TempDirectory dir = new();
        const int Writers = 8;
        const int PerWriter = 200;
        HashSet<long> lsns = [];
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { MaxFileSize = 64 * 1024 }))
        {
            Task<List<long>>[] tasks = new Task<List<long>>[Writers];
            for (int w = 0; w < Writers; w++)
            {
                int writer = w;
                tasks[w] = Task.Run(async () =>
                {
                    List<long> mine = [];
                    for (int i = 0; i < PerWriter; i++)
                    {
                        long value = (writer * PerWriter) + i;
                        mine.Add(i % 2 == 0 ? wal.Append(Payload(value, 100)) : await wal.AppendAsync(Payload(value, 100)));
                        Assert.True(wal.DurableLsn >= mine[^1], "Append returned before its record was durable");
                    }

                    return mine;
                });
            }

            foreach (Task<List<long>> task in tasks)
            {
                foreach (long lsn in await task)
                {
                    Assert.True(lsns.Add(lsn), $"LSN {lsn} handed out twice");
                }
            }
        }

        using WriteAheadLog reopened = WriteAheadLog.Open(dir.Path);
        List<(long Lsn, byte[] Payload)> records = ReadAll(reopened);
        Assert.Equal(Writers * PerWriter, records.Count);
        HashSet<long> values = [];
        foreach ((long lsn, byte[] payload) in records)
        {
            Assert.Contains(lsn, lsns);
            long value = BinaryPrimitives.ReadInt64LittleEndian(payload);
            Assert.Equal(Payload(value, 100), payload);
            Assert.True(values.Add(value));
        }
    }

    [Fact]
    public void Work_given_to_an_append_runs_once_its_record_is_written_and_before_its_fsync()
    {
        using TempDirectory dir = new();
        using WriteAheadLog wal = WriteAheadLog.Open(dir.Path);
        wal.Append(Payload(1, 10));
        int ran = 0;
        long lsn = wal.Append(Payload(2, 10), () =>
        {
            ran++;
            Assert.Equal(3, wal.NextLsn); // the record has its LSN
            Assert.Equal(1, wal.DurableLsn); // and no fsync covers it yet: this writer leads the next one
        });
        Assert.Equal(1, ran);
        Assert.Equal(2, lsn);
        Assert.Equal(2, wal.DurableLsn);
    }

    [Fact]
    public async Task An_append_whose_work_throws_is_still_made_durable_and_the_log_goes_on()
    {
        using TempDirectory dir = new();
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path))
        {
            InvalidOperationException thrown = Assert.Throws<InvalidOperationException>(() => wal.Append(Payload(1, 10), () => throw new InvalidOperationException("work failed")));
            Assert.Equal("work failed", thrown.Message);
            Assert.Equal(1, wal.DurableLsn);

            // The writer that threw was the fsync's leader: had it not led, these would wait for it forever.
            Task<long>[] later = [.. Enumerable.Range(2, 4).Select(i => Task.Run(() => wal.Append(Payload(i, 10))))];
            long[] lsns = await Task.WhenAll(later).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal([2, 3, 4, 5], lsns.Order());
        }

        using WriteAheadLog reopened = WriteAheadLog.Open(dir.Path);
        Assert.Equal([1, 2, 3, 4, 5], ReadAll(reopened).Select(r => r.Lsn));
    }

    [Fact]
    public void Torn_unacknowledged_record_is_cut_off_at_every_cut_point()
    {
        using TempDirectory dir = new();
        string file;
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path))
        {
            for (int i = 0; i < 4; i++)
            {
                wal.Append(Payload(i, 30));
            }

            file = Path.Combine(dir.Path, WalFormat.FileName(1));
        }

        // A fifth record written but never acknowledged: its bytes follow the commit mark, which a
        // crash before the group commit's fsync leaves behind.
        byte[] acknowledged = File.ReadAllBytes(file);
        byte[] fifth = new byte[WalFormat.RecordHeaderSize + 30];
        WalFormat.WriteRecord(fifth, 5, Payload(4, 30));
        byte[] full = [.. acknowledged, .. fifth];
        int lastStart = acknowledged.Length;
        for (int cut = lastStart + 1; cut < full.Length; cut++)
        {
            File.WriteAllBytes(file, full.AsSpan(0, cut).ToArray());
            using WriteAheadLog wal = WriteAheadLog.Open(dir.Path);
            Assert.Equal(cut - lastStart, wal.Recovery.TornBytesRemoved);
            WalDroppedRange torn = Assert.Single(wal.Recovery.Dropped);
            Assert.Equal((file, (long)lastStart, (long)(cut - lastStart), WalDropKind.TornTail), (torn.FilePath, torn.Offset, torn.Length, torn.Kind));
            Assert.Equal(4, ReadAll(wal).Count);
            Assert.Equal(5, wal.NextLsn);
            Assert.Equal(lastStart, new FileInfo(file).Length);
        }

        // Whole, it is kept: a write in flight at the crash may be there or not, but whole.
        File.WriteAllBytes(file, full);
        using WriteAheadLog whole = WriteAheadLog.Open(dir.Path);
        Assert.Equal(WalRecoveryReport.Clean, whole.Recovery);
        Assert.Equal(5, ReadAll(whole).Count);
    }

    [Fact]
    public void Garbage_after_the_last_record_is_a_torn_tail()
    {
        using TempDirectory dir = new();
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path))
        {
            wal.Append(Payload(1, 30));
        }

        string file = Path.Combine(dir.Path, WalFormat.FileName(1));
        using (FileStream stream = new(file, FileMode.Append))
        {
            stream.Write(new byte[100]);
        }

        using WriteAheadLog reopened = WriteAheadLog.Open(dir.Path);
        Assert.Equal(100, reopened.Recovery.TornBytesRemoved);
        Assert.Single(ReadAll(reopened));
    }

    [Fact]
    public void Damage_followed_by_valid_records_is_corruption_with_file_and_offset()
    {
        using TempDirectory dir = new();
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path))
        {
            for (int i = 0; i < 5; i++)
            {
                wal.Append(Payload(i, 30));
            }
        }

        string file = Path.Combine(dir.Path, WalFormat.FileName(1));
        byte[] bytes = File.ReadAllBytes(file);
        long secondRecord = WalFormat.HeaderSize + WalFormat.RecordHeaderSize + 30;
        bytes[secondRecord + WalFormat.RecordHeaderSize + 3] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        StorageCorruptionException ex = Assert.Throws<StorageCorruptionException>(() => WriteAheadLog.Open(dir.Path));
        Assert.Equal(file, ex.FilePath);
        Assert.Equal(secondRecord, ex.Offset);
    }

    [Fact]
    public void Damage_in_an_older_file_is_corruption()
    {
        using TempDirectory dir = new();
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { MaxFileSize = 200 }))
        {
            for (int i = 0; i < 20; i++)
            {
                wal.Append(Payload(i, 30));
            }
        }

        string first = Path.Combine(dir.Path, WalFormat.FileName(1));
        byte[] bytes = File.ReadAllBytes(first);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(first, bytes);
        StorageCorruptionException ex = Assert.Throws<StorageCorruptionException>(() => WriteAheadLog.Open(dir.Path));
        Assert.Equal(first, ex.FilePath);
    }

    [Fact]
    public void Missing_middle_file_is_corruption()
    {
        using TempDirectory dir = new();
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { MaxFileSize = 200 }))
        {
            for (int i = 0; i < 20; i++)
            {
                wal.Append(Payload(i, 30));
            }
        }

        string[] files = Directory.GetFiles(dir.Path, "*.wal");
        Array.Sort(files, StringComparer.Ordinal);
        Assert.True(files.Length >= 3);
        File.Delete(files[1]);
        Assert.Throws<StorageCorruptionException>(() => WriteAheadLog.Open(dir.Path));
    }

    [Fact]
    public void Newest_file_with_a_torn_header_is_removed()
    {
        using TempDirectory dir = new();
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path))
        {
            wal.Append(Payload(1, 30));
        }

        string extra = Path.Combine(dir.Path, WalFormat.FileName(2));
        File.WriteAllBytes(extra, [0x42, 0x57, 0x41]);
        using WriteAheadLog reopened = WriteAheadLog.Open(dir.Path);
        Assert.Equal(extra, reopened.Recovery.RemovedEmptyFile);
        Assert.False(File.Exists(extra));
        Assert.Equal(2, reopened.Append("y"u8));
    }

    [Fact]
    public void Random_bytes_in_a_wal_file_raise_only_corruption_or_are_cut_as_torn()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        using TempDirectory dir = new();
        for (int round = 0; round < 200; round++)
        {
            foreach (string f in Directory.GetFiles(dir.Path))
            {
                File.Delete(f);
            }

            byte[] header = new byte[WalFormat.HeaderSize];
            WalFormat.WriteHeader(header, 1);
            byte[] body = new byte[random.Next(0, 300)];
            random.NextBytes(body);
            File.WriteAllBytes(Path.Combine(dir.Path, WalFormat.FileName(1)), [.. header, .. body]);
            try
            {
                using WriteAheadLog wal = WriteAheadLog.Open(dir.Path);
                Assert.True(wal.Recovery.TornBytesRemoved == body.Length || body.Length == 0, $"seed {seed}");
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }
}
