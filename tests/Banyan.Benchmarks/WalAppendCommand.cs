using System.Diagnostics;
using System.Globalization;
using Banyan.Storage.Wal;

namespace Banyan.Benchmarks;

/// <summary>
/// <c>wal [--writers 1,4,16] [--seconds 3] [--payload 1024] [--repeat 3]</c>: appends records of
/// <c>payload</c> bytes to a fresh WAL from N writer threads for a few seconds and prints appends/s
/// and the mean time from append to acknowledgement. With one writer every append waits for its own
/// fsync, so the rate is the cost of one group commit (fsync plus, since format version 2, the commit
/// slot write); more writers share fsyncs. Uses only the WAL's public API, so the same file builds
/// against older versions of the engine for A/B runs.
/// </summary>
public static class WalAppendCommand
{
    public static int Run(string[] args)
    {
        int[] writers = [1, 4, 16];
        double seconds = 3;
        int payloadBytes = 1024;
        int repeat = 3;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--writers":
                    writers = Array.ConvertAll(args[i + 1].Split(','), w => int.Parse(w, CultureInfo.InvariantCulture));
                    break;
                case "--seconds":
                    seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--payload":
                    payloadBytes = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--repeat":
                    repeat = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}");
                    return 2;
            }
        }

        byte[] payload = new byte[payloadBytes];
        new Random(1).NextBytes(payload);
        for (int r = 0; r < repeat; r++)
        {
            foreach (int n in writers)
            {
                string directory = Path.Combine(Path.GetTempPath(), "banyan-bench-wal-" + Guid.NewGuid().ToString("N"));
                try
                {
                    (long appends, double elapsed) = Measure(directory, n, seconds, payload);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"wal writers {n,2}: {appends / elapsed,9:F0} appends/s, {elapsed * 1e6 * n / appends,8:F1} µs per append, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
                }
                finally
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }

        return 0;
    }

    private static (long Appends, double Seconds) Measure(string directory, int writers, double seconds, byte[] payload)
    {
        using WriteAheadLog wal = WriteAheadLog.Open(directory);
        long appends = 0;
        Stopwatch clock = Stopwatch.StartNew();
        Thread[] threads = new Thread[writers];
        for (int w = 0; w < writers; w++)
        {
            threads[w] = new Thread(() =>
            {
                long mine = 0;
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    wal.Append(payload);
                    mine++;
                }

                Interlocked.Add(ref appends, mine);
            });
            threads[w].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        return (appends, clock.Elapsed.TotalSeconds);
    }
}
