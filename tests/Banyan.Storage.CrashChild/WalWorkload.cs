using Banyan.Storage.Wal;

namespace Banyan.Storage.CrashChild;

/// <summary>Four writers append to one WAL (small files, so rotation happens) until the process is killed.</summary>
internal static class WalWorkload
{
    private const int Writers = 4;

    public static void Run(string directory, int seed, long firstValue, AckWriter acks)
    {
        using WriteAheadLog wal = WriteAheadLog.Open(directory, new WalOptions { MaxFileSize = 16 * 1024 });
        acks.Ack("READY");
        Thread[] threads = new Thread[Writers];
        for (int w = 0; w < Writers; w++)
        {
            int writer = w;
            threads[w] = new Thread(() =>
            {
                Random random = new(seed + writer);
                for (long i = 0; ; i++)
                {
                    long value = firstValue + (i * Writers) + writer;
                    wal.Append(WalPayload.Create(value));
                    acks.Ack("ACK " + value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    if (random.Next(8) == 0)
                    {
                        Thread.Yield();
                    }
                }
            })
            { IsBackground = true };
            threads[w].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }
    }
}
