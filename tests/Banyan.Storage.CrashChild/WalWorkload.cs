using Banyan.Storage.Wal;

namespace Banyan.Storage.CrashChild;

/// <summary>
/// Four writers append to one WAL (small files, so rotation happens) until <c>stop</c> says so or an
/// append fails (the child runs until it is killed, the in-process power-loss tests until the power is
/// cut); returns the first failure.
/// </summary>
internal static class WalWorkload
{
    private const int Writers = 4;

    public static WalOptions Options() => new() { MaxFileSize = 16 * 1024 };

    public static Exception? Run(string directory, int seed, long firstValue, Action ready, Action<long> acknowledged, Func<bool> stop, Func<Exception, bool>? expected = null)
    {
        WriteAheadLog wal = WriteAheadLog.Open(directory, Options());
        Exception? failure = null;
        bool halted = false;
        try
        {
            ready();
            Thread[] threads = new Thread[Writers];
            for (int w = 0; w < Writers; w++)
            {
                int writer = w;
                threads[w] = new Thread(() =>
                {
                    Random random = new(seed + writer);
                    for (long i = 0; !Volatile.Read(ref halted) && !stop(); i++)
                    {
                        long value = firstValue + (i * Writers) + writer;
                        try
                        {
                            wal.Append(WalPayload.Create(value));
                        }
                        catch (Exception e)
                        {
                            // An expected failure (the power is off) ends the run without counting as one.
                            if (expected?.Invoke(e) != true)
                            {
                                Interlocked.CompareExchange(ref failure, e, null);
                            }

                            Volatile.Write(ref halted, true);
                            return;
                        }

                        acknowledged(value);
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
        finally
        {
            try
            {
                wal.Dispose();
            }
            catch (IOException e) when (expected?.Invoke(e) == true)
            {
            }
        }

        return failure;
    }
}
